package dev.natgw.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test's scenario (a class with a main method on the test class path) in a network namespace of the test's own,
 * made by a setup of {@code ip} commands and deleted when the scenario ends, however it ends. Holds the machine's
 * shared namespace lock ({@value #LOCK}) when there is one, so namespace tests of several worktrees take turns.
 *
 * @param name the namespace's name, unique to the test run
 */
public record NamespaceRun(String name) {
    private static final String LOCK = "/work/stress/ns.lock";

    /** What the scenario printed (standard output and error together) and how it exited. */
    public record Outcome(int exit, String output) {
    }

    /** {@return true if this process may make namespaces: root, with iproute2} */
    public static boolean usable() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-u").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        boolean root = p.waitFor(10, TimeUnit.SECONDS) && out.equals("0");
        return root && (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")));
    }

    /**
     * Makes the namespace, runs {@code setup} (shell commands where {@code $ns} is its name, after which lo is up),
     * then {@code main} with {@code args} in it on this JVM's java and class path, for at most {@code seconds}.
     *
     * @param maxHeap the scenario JVM's -Xmx, or null for the default
     */
    public Outcome run(String setup, String maxHeap, int seconds, Class<?> main, String... args) throws IOException,
            InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "ns=" + name + "; trap 'ip netns del $ns 2>/dev/null' EXIT; "
                + "ip netns add $ns && ip -n $ns link set lo up" + (setup.isBlank() ? "" : " && " + setup)
                + " && timeout " + seconds + " ip netns exec $ns \"$0\"" + (maxHeap == null ? "" : " -Xmx" + maxHeap)
                + " -cp \"$1\" " + main.getName() + (args.length == 0 ? "" : " " + String.join(" ", args));
        List<String> cmd = new ArrayList<>();
        if (Files.exists(Path.of(LOCK))) {
            // waits its turn behind other namespace tests, at most five minutes
            cmd.addAll(List.of("flock", "-w", "300", LOCK));
        }
        cmd.addAll(List.of("sh", "-c", script, java, System.getProperty("java.class.path")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                return new Outcome(-1, out + "\n(the scenario did not end)");
            }
            return new Outcome(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Deletes the namespace if a killed run left it behind; the run itself deletes it. */
    public void delete() throws IOException, InterruptedException {
        new ProcessBuilder("ip", "netns", "del", name).redirectErrorStream(true).start().waitFor(10,
                TimeUnit.SECONDS);
    }
}
