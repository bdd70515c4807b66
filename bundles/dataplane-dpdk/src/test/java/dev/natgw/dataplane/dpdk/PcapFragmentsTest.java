package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Fragmenter;
import dev.natgw.nat.testing.Frames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fragments through real DPDK ports that hand them over as they come (net_pcap, as AF_XDP and PCI NICs do): a
 * datagram whose fragments come last first is held by the NAT in its mbufs and sent after its first fragment, from
 * slots the stage appends to the worker's burst. The test reassembles what comes out and checks its checksums with
 * its own arithmetic.
 */
class PcapFragmentsTest {
    @TempDir
    Path dir;

    @Test
    void outOfOrderFragmentsLeaveTranslatedFromTheirMbufs() throws Exception {
        byte[] udp = Frames.udp(PcapGatewayTest.HOST, 7000, PcapGatewayTest.REMOTE, 53).identification(11)
                .payload(pattern(4000)).build();
        List<byte[]> udpFrags = new ArrayList<>(Fragmenter.split(udp, 1480));
        Collections.reverse(udpFrags);
        byte[] ping = Frames.echoRequest(PcapGatewayTest.HOST, PcapGatewayTest.REMOTE, 99, 1).identification(12)
                .payload(pattern(3000)).build();
        List<byte[]> in = new ArrayList<>(udpFrags);
        in.addAll(Fragmenter.split(ping, 1480));
        Path inRx = dir.resolve("inside-rx.pcap");
        Path inTx = dir.resolve("inside-tx.pcap");
        Path outRx = dir.resolve("outside-rx.pcap");
        Path outTx = dir.resolve("outside-tx.pcap");
        PcapGatewayTest.writePcap(inRx, in);
        PcapGatewayTest.writePcap(outRx, List.of());
        Engine engine = new Engine(TestSettings.of(Map.of("inside.device",
                "net_pcap,rx_pcap=" + inRx + ",tx_pcap=" + inTx, "outside.device",
                "net_pcap,rx_pcap=" + outRx + ",tx_pcap=" + outTx, "outside.gateway", "", "workers.cpus", "none",
                "mbufs", 2047)));
        engine.learnNeighbour(1, PcapGatewayTest.REMOTE, 0x02_00_00_00_07_07L);
        NatManager nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1 << 12, 1024, Duration.ofSeconds(1),
                1 << 12, OtherProtocolPolicy.DROP, false, 1024));
        nat.addPool(PoolDefinition.of("default", List.of(new Ipv4Range(PcapGatewayTest.GLOBAL,
                PcapGatewayTest.GLOBAL))));
        engine.addStage(nat, "nat", 500, 1);
        try {
            engine.start();
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> nat.counters().packetsIn2Out() >= in.size());
        } finally {
            engine.stop();
            nat.close();
        }
        List<byte[]> out = PcapGatewayTest.readPcap(outTx);
        assertThat(out).hasSize(in.size());
        List<byte[]> udpOut = new ArrayList<>();
        List<byte[]> pingOut = new ArrayList<>();
        for (byte[] f : out) {
            FrameView v = new FrameView(f);
            assertThat(v.ipChecksumValid()).isTrue();
            assertThat(v.src()).isEqualTo(PcapGatewayTest.GLOBAL);
            assertThat(v.ttl()).isEqualTo(63);
            (v.proto() == Frames.UDP ? udpOut : pingOut).add(f);
        }
        FrameView u = new FrameView(Fragmenter.reassemble(udpOut));
        u.assertChecksumsValid();
        assertThat(u.payload()).isEqualTo(pattern(4000));
        assertThat(u.dstPort()).isEqualTo(53);
        FrameView p = new FrameView(Fragmenter.reassemble(pingOut));
        p.assertChecksumsValid();
        assertThat(p.payload()).isEqualTo(pattern(3000));
        // the held fragments of the UDP datagram left after its first
        assertThat(Fragmenter.offset(udpOut.get(0))).isZero();
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 13 + 5);
        }
        return b;
    }
}
