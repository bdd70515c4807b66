package dev.natgw.tester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.dataplane.dpdk.Eal;
import dev.natgw.dataplane.dpdk.Port;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The tester on real wires: the host ends of a scripts/topology {@code --linux-gw --tester} topology, Linux
 * forwarding with an nftables masquerade in between, for a few seconds at a bounded rate. Asserts that the frames
 * were translated to the masquerade address, came back through the connections they opened, and were counted —
 * not how fast. Needs root, nft and conntrack; takes the machine's namespace lock.
 */
class VethLinuxTest {
    static final String NAME = "rtv";

    static String sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("still running after 60 s: " + List.of(command));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(List.of(command) + " failed: " + out);
        }
        return out;
    }

    static String mac(String namespace, String dev) throws Exception {
        return sh("ip", "netns", "exec", namespace, "cat", "/sys/class/net/" + dev + "/address").trim();
    }

    @Test
    void linuxTranslatesTheTestersFlowsBothWays() throws Exception {
        Path topology = Path.of(System.getProperty("natgw.top", ".."), "scripts/topology").toAbsolutePath();
        assumeTrue(Files.isExecutable(topology), "no " + topology);
        assumeTrue(sh("id", "-u").trim().equals("0"), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/conntrack")), "needs conntrack (apt-get install conntrack)");
        Eal.ensure(List.of("-l", "0", "--no-shconf", "--no-telemetry", "--no-huge", "--no-pci", "-m", "512",
                "--log-level=lib.eal:warning"));
        try (NamespaceLock lock = NamespaceLock.take()) {
            Port inside = null;
            Port outside = null;
            try {
                assertThat(lock.held()).isTrue();
                sh(topology.toString(), "down", NAME);
                sh(topology.toString(), "up", NAME, "--linux-gw", "--tester");
                RssConfig rss = RssConfig.symmetricDefault(1);
                inside = Port.open("ti", PortRole.INSIDE, "net_af_packet,iface=" + NAME + "i1", 1, 1500, 4095, rss);
                outside = Port.open("to", PortRole.OUTSIDE, "net_af_packet,iface=" + NAME + "o1", 1, 1500, 4095, rss);
                int global = Rfc9693.ip("198.19.0.1");
                int host = Rfc9693.ip("198.18.0.2");
                ByteArrayOutputStream log = new ByteArrayOutputStream();
                try (Tester tester = new Tester(new Tester.Side(inside.id(), inside.pool(), inside.mac()),
                        new Tester.Side(outside.id(), outside.pool(), outside.mac()),
                        Rfc9693.mac(mac(NAME + "-gw", NAME + "i0")), Rfc9693.mac(mac(NAME + "-gw", NAME + "o0")), host,
                        Rfc9693.ip("198.19.0.2"), global, global, 1_000_000_000L)) {
                    Dut linux = Dut.command("linux",
                            List.of("ip", "netns", "exec", NAME + "-gw", "conntrack", "-F"));
                    Procedures p = new Procedures(tester, linux, new Procedures.Settings(host,
                            Rfc9693.ip("198.19.128.0"), 5000, 5000, 1, 0.02, 1),
                            new PrintStream(log, true, StandardCharsets.UTF_8));
                    // the first frames wait for the gateway's ARP, which the tester answers
                    p.warmUp(Frames.MIN);
                    Flows f = new Flows(1000, host, Rfc9693.ip("198.19.128.0"), 1L << 30);
                    Tester.Result e = tester.establish(f, 5000, Frames.MIN);
                    assertThat(e.okForward()).as("%s", e).isEqualTo(1000);
                    assertThat(e.invalid()).isZero();
                    assertThat(f.mapped()).isEqualTo(1000);
                    // Linux's connection table holds them (and the warm-up's, flushed since)
                    int tracked = Integer.parseInt(
                            sh("ip", "netns", "exec", NAME + "-gw", "conntrack", "-C").trim());
                    assertThat(tracked).isGreaterThanOrEqualTo(1000);
                    Tester.Result t = tester.traffic(f, 5000, 1514, 1, true, true);
                    assertThat(t.sentForward()).isEqualTo(5000);
                    assertThat(t.sentReverse()).isEqualTo(5000);
                    assertThat(t.okForward()).as("%s", t).isGreaterThanOrEqualTo(4950);
                    assertThat(t.okReverse()).as("%s", t).isGreaterThanOrEqualTo(4950);
                    assertThat(t.invalid()).as("%s", t).isZero();
                    System.out.print(log.toString(StandardCharsets.UTF_8));
                    System.out.println("linux: " + e + " / " + t + ", tracked " + tracked);
                }
            } finally {
                if (inside != null) {
                    inside.close();
                }
                if (outside != null) {
                    outside.close();
                }
                sh(topology.toString(), "down", NAME);
            }
        }
    }
}
