package dev.natgw.traversal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The natgw-traversal CLI in processes of its own, with what they print read line by line; an echo service on
 * loopback standing for the service a user exposes; and the listening sockets a process holds, read from /proc.
 */
final class CliProcesses {

    private final List<Process> processes = new ArrayList<>();

    /** A running CLI command and the lines of its standard output so far. */
    static final class Running {
        final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Running(Process process) {
            this.process = process;
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
        }

        /** {@return the next line printed, waiting at most timeout} */
        String nextLine(Duration timeout) throws InterruptedException {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("no line from " + process.info().commandLine().orElse("?") + " within "
                        + timeout + (process.isAlive() ? "" : "; it exited with " + process.exitValue()));
            }
            return line;
        }

        /** {@return the lines printed since the last read, without waiting} */
        List<String> more() {
            List<String> out = new ArrayList<>();
            lines.drainTo(out);
            return out;
        }
    }

    /** Starts command with standard error inherited and the environment changed by env (a null value removes). */
    Running start(List<String> command, Map<String, String> env) throws IOException {
        return start(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT), env);
    }

    private Running start(ProcessBuilder pb, Map<String, String> env) throws IOException {
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        processes.add(p);
        return new Running(p);
    }

    /** The CLI as {@code java -jar natgw-traversal-VERSION-cli.jar}, with the JDK that runs the tests. */
    Running jar(String... args) throws IOException {
        return start(command(args), Map.of());
    }

    /** The CLI as {@link #jar}, its standard error read among the lines of its standard output. */
    Running jarTellingErrors(String... args) throws IOException {
        return start(new ProcessBuilder(command(args)).redirectErrorStream(true), Map.of());
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("natgw.traversal.cli.jar")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Stops every process started, forcibly after 5 s. */
    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** An echo server on loopback, standing for the local service a user exposes. */
    static ServerSocket echoService() throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException e) {
                            // client gone
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return ss;
    }

    /**
     * The TCP sockets in LISTEN state that process pid holds, as {@code address:port} in /proc's hex form; a wildcard
     * address is all zeros (0.0.0.0 in /proc/net/tcp, :: in /proc/net/tcp6).
     */
    static List<String> listening(long pid) throws IOException {
        Set<String> inodes = socketInodes(pid);
        List<String> out = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> rows = Files.readAllLines(Path.of(table));
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.trim().split("\\s+");
                // f[1] local address, f[3] state (0A: LISTEN), f[9] inode
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    out.add(f[1]);
                }
            }
        }
        return out;
    }

    /** {@return how many UDP sockets process pid holds, v4 and v6} */
    static int udpSockets(long pid) throws IOException {
        Set<String> inodes = socketInodes(pid);
        int n = 0;
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            List<String> rows = Files.readAllLines(Path.of(table));
            for (String row : rows.subList(1, rows.size())) {
                if (inodes.contains(row.trim().split("\\s+")[9])) {
                    n++;
                }
            }
        }
        return n;
    }

    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return inodes;
    }

    /** {@return true if a /proc address:port is a wildcard address, v4 or v6} */
    static boolean wildcard(String procAddress) {
        return procAddress.substring(0, procAddress.indexOf(':')).chars().allMatch(c -> c == '0');
    }
}
