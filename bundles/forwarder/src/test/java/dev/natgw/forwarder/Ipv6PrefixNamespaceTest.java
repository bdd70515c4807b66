package dev.natgw.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natgw.testing.NamespaceRun;
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

    private final NamespaceRun ns = new NamespaceRun("natgw-fwd6-" + ProcessHandle.current().pid());

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.delete();
    }

    @Test
    void tenThousandIdleConnectionsFromOneSlash64LeaveAnHonestPeerServed() throws Exception {
        assumeTrue(NamespaceRun.usable(), "needs root and iproute2");
        NamespaceRun.Outcome o = ns.run("ip netns exec $ns sysctl -qw net.ipv6.ip_nonlocal_bind=1"
                + " && ip -n $ns -6 route add local 2001:db8::/32 dev lo", "512m", 200, Ipv6FloodScenario.class,
                Integer.toString(COUNT));
        System.out.print(o.output());
        assertThat(o.exit()).as(o.output()).isZero();
        // counted by exact address all 10,000 would be held; counted by /64, 512 are and the rest refused at accept
        assertThat(o.output()).contains("held 512 refused " + (COUNT - 512) + " failed 0 of " + COUNT);
        assertThat(o.output()).contains("honest served");
    }
}
