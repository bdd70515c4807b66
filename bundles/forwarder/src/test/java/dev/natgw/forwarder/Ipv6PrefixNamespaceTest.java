package dev.natgw.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 10,000 idle connections from one IPv6 /64, each from a different address, leave an honest peer served: the
 * forwarder counts the /64 as one source and holds max.connections.per.source (512) of them. Loopback has only ::1,
 * so the scenario ({@link Ipv6FloodScenario}) runs in a network namespace of its own where 2001:db8::/32 (the
 * documentation prefix) is routed locally and non-local binds are allowed, so every address of it can be a source;
 * nothing leaves the namespace, which is deleted afterwards. Needs root and iproute2, else it is skipped. Takes the
 * shared namespace lock when the machine has one.
 */
class Ipv6PrefixNamespaceTest {

    private static final int COUNT = 10_000;
    private static final Path LOCK = Path.of("/work/stress/ns.lock");

    private final String ns = "natgw-fwd6-" + ProcessHandle.current().pid();

    @AfterEach
    void deleteNamespace() throws Exception {
        // the script deletes it; this is for a script that was killed
        new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
    }

    private static boolean root() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-u").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        return p.waitFor(10, TimeUnit.SECONDS) && out.equals("0");
    }

    @Test
    void tenThousandIdleConnectionsFromOneSlash64LeaveAnHonestPeerServed() throws Exception {
        assumeTrue(root(), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "needs iproute2");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "ns=" + ns + "; trap 'ip netns del $ns 2>/dev/null' EXIT; "
                + "ip netns add $ns && ip -n $ns link set lo up"
                + " && ip netns exec $ns sysctl -qw net.ipv6.ip_nonlocal_bind=1"
                + " && ip -n $ns -6 route add local 2001:db8::/32 dev lo"
                + " && timeout 200 ip netns exec $ns \"$0\" -Xmx512m -cp \"$1\" " + Ipv6FloodScenario.class.getName()
                + " " + COUNT;
        List<String> cmd = new ArrayList<>();
        if (Files.exists(LOCK)) {
            cmd.addAll(List.of("flock", "-w", "300", LOCK.toString()));
        }
        cmd.addAll(List.of("sh", "-c", script, java, System.getProperty("java.class.path")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        System.out.print(out);
        assertThat(p.exitValue()).as(out).isZero();
        // counted by exact address all 10,000 would be held; counted by /64, 512 are and the rest refused at accept
        assertThat(out).contains("held 512 refused " + (COUNT - 512) + " failed 0 of " + COUNT);
        assertThat(out).contains("honest served");
    }
}
