package dev.natgw.itests;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One unpacked copy of the natgw distribution tar.gz, driven through its own scripts as a user would, on ports of its
 * own. Used by tests that run outside the container.
 */
@SuppressWarnings("try") // close() waits for Karaf to stop, so it may be interrupted
final class Distribution implements AutoCloseable {

    final Path home;
    final int sshPort;
    /** The JMX connector server's port (rmiServerPort). */
    final int jmxPort;
    private final List<Process> processes = new ArrayList<>();

    private Distribution(Path home, int sshPort, int jmxPort) {
        this.home = home;
        this.sshPort = sshPort;
        this.jmxPort = jmxPort;
    }

    /** Unpacks a fresh copy under the itests work folder and gives it free ssh and JMX ports. */
    static Distribution unpack(String name) throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("natgw.itests.work"), name));
        run(work, List.of("rm", "-rf", "natgw-" + NatgwContainer.VERSION), Duration.ofSeconds(60));
        run(work, List.of("tar", "xzf", System.getProperty("natgw.distribution")), Duration.ofSeconds(120));
        Path home = work.resolve("natgw-" + NatgwContainer.VERSION);
        int ssh = Integer.parseInt(NatgwContainer.freePort());
        setProperty(home.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort", String.valueOf(ssh));
        setProperty(home.resolve("etc/org.apache.karaf.management.cfg"), "rmiRegistryPort", NatgwContainer.freePort());
        int jmx = Integer.parseInt(NatgwContainer.freePort());
        setProperty(home.resolve("etc/org.apache.karaf.management.cfg"), "rmiServerPort", String.valueOf(jmx));
        return new Distribution(home, ssh, jmx);
    }

    /**
     * Waits until the JMX connector server accepts connections: Karaf starts it on a thread of its own, and a
     * shutdown while it is still starting makes it print "Could not start JMX connector server".
     */
    void awaitJmx(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", jmxPort), 1000);
                return true;
            }
        });
    }

    /** Rewrites one {@code key = value} line of a Karaf .cfg file (the key must already be there). */
    private static void setProperty(Path cfg, String key, String value) throws IOException {
        List<String> lines = new ArrayList<>();
        boolean found = false;
        for (String line : Files.readAllLines(cfg)) {
            if (line.matches("\\s*" + key + "\\s*=.*")) {
                line = key + " = " + value;
                found = true;
            }
            lines.add(line);
        }
        if (!found) {
            throw new IllegalStateException(key + " not in " + cfg);
        }
        Files.write(cfg, lines);
    }

    /**
     * Sets keys of {@code etc/PID.cfg} (a key's line is replaced, a missing key appended), as an operator edits the
     * files before a start.
     */
    void configure(String pid, Map<String, String> values) throws IOException {
        Path cfg = home.resolve("etc/" + pid + ".cfg");
        List<String> lines = Files.isRegularFile(cfg) ? new ArrayList<>(Files.readAllLines(cfg)) : new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String line = e.getKey() + " = " + e.getValue();
            int at = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).matches("\\s*" + Pattern.quote(e.getKey()) + "\\s*=.*")) {
                    at = i;
                }
            }
            if (at >= 0) {
                lines.set(at, line);
            } else {
                lines.add(line);
            }
        }
        Files.write(cfg, lines);
    }

    /** Starts a script of bin/ with this JVM's JDK; output is collected in the returned handle. */
    Running start(Map<String, String> env, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("NATGW_ADMIN_PASSWORD");
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return new Running(process);
    }

    /**
     * Runs a script of bin/ to its end; returns what it printed, stdout and stderr together. Its standard input stays
     * open, as a terminal's would: Karaf's bin/client closes its session when its input ends.
     */
    Result exec(Map<String, String> env, Duration timeout, String... command) throws Exception {
        Running r = start(env, command);
        if (!r.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            r.process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end in " + timeout + ":\n" + r.output());
        }
        r.drained();
        return new Result(r.process.exitValue(), r.output());
    }

    /** {@code bin/client} as a user types it: one command, ssh to this copy's port. */
    Result client(String user, String password, String command) throws Exception {
        return exec(Map.of(), Duration.ofSeconds(60), "bin/client", "-a", String.valueOf(sshPort), "-u", user, "-p",
                password, "-r", "1", command);
    }

    /** The JVM of this copy's Karaf: from the karaf.pid file it writes, else by its karaf.base. */
    Optional<ProcessHandle> karafProcess() {
        try {
            Path pidFile = home.resolve("karaf.pid");
            if (Files.isRegularFile(pidFile)) {
                Optional<ProcessHandle> byPid = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()));
                if (byPid.isPresent() && byPid.get().isAlive()) {
                    return byPid;
                }
            }
        } catch (IOException | NumberFormatException unreadable) {
            // fall back to the command line
        }
        String base = "-Dkaraf.base=" + home;
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains(base)).orElse(false))
                .findFirst();
    }

    /** @return the local addresses (ip:port) on which a process listens for TCP, from /proc */
    static Set<String> tcpListeners(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed while we listed them
                }
            }
        }
        Set<String> listeners = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> rows = Files.readAllLines(Path.of(table));
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    listeners.add(ProcNet.address(f[1]));
                }
            }
        }
        return listeners;
    }

    @Override
    public void close() throws Exception {
        if (karafProcess().isPresent()) {
            exec(Map.of(), Duration.ofSeconds(60), "bin/stop");
        }
        karafProcess().ifPresent(p -> {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception notStopped) {
                p.destroyForcibly();
            }
        });
        for (Process p : processes) {
            p.destroyForcibly();
        }
    }

    static void run(Path dir, List<String> command, Duration timeout) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(command + " failed");
        }
    }

    record Result(int exit, String output) {
    }

    /** A started script whose output a background thread collects. */
    static final class Running {
        final Process process;
        private final StringBuffer output = new StringBuffer();
        private final Thread reader;

        Running(Process process) {
            this.process = process;
            this.reader = Thread.ofPlatform().daemon().name("natgw-itest-output").start(() -> {
                byte[] buffer = new byte[4096];
                try (InputStream in = process.getInputStream()) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException closed) {
                    // the process ended
                }
            });
        }

        String output() {
            return output.toString();
        }

        void drained() throws InterruptedException {
            reader.join(Duration.ofSeconds(10));
        }

        /** Waits until the output contains {@code text}. */
        void awaitOutput(String text, Duration timeout) {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> output().contains(text));
        }

        void type(String line) {
            try {
                process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Decoding of /proc/net/tcp{,6} addresses. */
    static final class ProcNet {
        private ProcNet() {
        }

        /** {@code 0100007F:1F95} gives {@code 127.0.0.1:8085}; IPv6 addresses come as 32 hex digits. */
        static String address(String hex) {
            String[] parts = hex.split(":");
            int port = Integer.parseInt(parts[1], 16);
            String a = parts[0];
            if (a.length() == 8) {
                return ipv4(a) + ":" + port;
            }
            // IPv6: four 32-bit words, each in host (little-endian) order
            if (a.equals("0000000000000000FFFF0000" + a.substring(24))) {
                return ipv4(a.substring(24)) + ":" + port;
            }
            if (a.equals("00000000000000000000000001000000")) {
                return "[::1]:" + port;
            }
            if (a.equals("00000000000000000000000000000000")) {
                return "[::]:" + port;
            }
            return "[" + a + "]:" + port;
        }

        private static String ipv4(String le) {
            return Integer.parseInt(le.substring(6, 8), 16) + "." + Integer.parseInt(le.substring(4, 6), 16) + "."
                    + Integer.parseInt(le.substring(2, 4), 16) + "." + Integer.parseInt(le.substring(0, 2), 16);
        }
    }
}
