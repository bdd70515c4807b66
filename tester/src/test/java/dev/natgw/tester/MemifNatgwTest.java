package dev.natgw.tester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.dataplane.dpdk.Eal;
import dev.natgw.dataplane.dpdk.Port;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tester against natgw itself over shared memory: the tester's two ports are net_memif servers, natgw's
 * dataplane and translator (started here, as {@code benchmarks/e2e rfc9693} does) the clients. A few seconds at a
 * bounded rate; asserts that every flow was translated into the pool, came back through its session, and was counted
 * on both sides — not how fast.
 */
class MemifNatgwTest {
    static final String GW_IN = "02:00:00:00:01:01";
    static final String GW_OUT = "02:00:00:00:01:02";

    @Test
    void natgwTranslatesTheTestersFlowsOverMemif(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isReadable(Path.of("/usr/lib/x86_64-linux-gnu/dpdk/pmds-23/librte_net_memif.so.23"))
                || Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/librte_net_memif.so.23")), "no net_memif PMD");
        Eal.ensure(List.of("-l", "0", "--no-shconf", "--no-telemetry", "--no-huge", "--no-pci", "-m", "512",
                "--log-level=lib.eal:warning"));
        String m = "net_memif,id=0,rsize=12,socket=" + dir;
        RssConfig rss = RssConfig.symmetricDefault(1);
        Port inside = Port.open("ti", PortRole.INSIDE, m + "/in.sock,role=server", 1, 1500, 8191, rss);
        Port outside = null;
        NatgwDut natgw = null;
        try {
            outside = Port.open("to", PortRole.OUTSIDE, m + "/out.sock,role=server", 1, 1500, 8191, rss);
            Ipv4Range pool = Ipv4Range.parse("198.19.0.1/32");
            natgw = new NatgwDut(m + "/in.sock,role=client,mac=" + GW_IN, m + "/out.sock,role=client,mac=" + GW_OUT,
                    pool, 1 << 16, "none");
            int host = Rfc9693.ip("198.18.0.2");
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try (Tester tester = new Tester(new Tester.Side(inside.id(), inside.pool(), inside.mac()),
                    new Tester.Side(outside.id(), outside.pool(), outside.mac()), Rfc9693.mac(GW_IN),
                    Rfc9693.mac(GW_OUT), host, Rfc9693.ip("198.19.0.2"), pool.first(), pool.last(), 1_000_000_000L)) {
                Procedures p = new Procedures(tester, natgw, new Procedures.Settings(host, Rfc9693.ip("198.19.128.0"),
                        10_000, 10_000, 1, 0.02, 1), new PrintStream(log, true, StandardCharsets.UTF_8));
                // natgw resolves the tester's addresses by ARP first; the warm-up carries that
                p.warmUp(Frames.MIN);
                Flows f = new Flows(3000, host, Rfc9693.ip("198.19.128.0"), 1L << 30);
                Tester.Result e = tester.establish(f, 10_000, Frames.MIN);
                assertThat(e.okForward()).as("%s", e).isEqualTo(3000);
                assertThat(f.mapped()).isEqualTo(3000);
                assertThat(natgw.sessions()).isEqualTo(3000);
                Tester.Result t = tester.traffic(f, 10_000, 1514, 1, true, true);
                assertThat(t.sentForward()).isEqualTo(10_000);
                assertThat(t.okForward()).as("%s", t).isGreaterThanOrEqualTo(9_900);
                assertThat(t.okReverse()).as("%s", t).isGreaterThanOrEqualTo(9_900);
                assertThat(t.invalid()).as("%s", t).isZero();
                assertThat(t.remapped()).isZero();
                System.out.println("natgw over memif: " + e + " / " + t + "; " + natgw.counters());
            }
        } finally {
            if (natgw != null) {
                natgw.close();
            }
            inside.close();
            if (outside != null) {
                outside.close();
            }
        }
    }
}
