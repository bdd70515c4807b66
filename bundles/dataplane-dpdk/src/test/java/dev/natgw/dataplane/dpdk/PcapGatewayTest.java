package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packets without a NIC: a pcap the test writes goes in through net_pcap, through the gateway and the
 * real NAT stage, and out into a pcap the test reads back and checks field by field, with checksums the
 * test recomputes itself (FrameView).
 */
class PcapGatewayTest {
    static final int HOST = Frames.ip("198.18.0.2");
    static final int HOST2 = Frames.ip("198.18.0.3");
    static final int GLOBAL = Frames.ip("198.19.0.1");
    static final int ROUTER = Frames.ip("198.19.0.2");
    static final int REMOTE = Frames.ip("198.19.0.77");

    @TempDir
    Path dir;

    static void writePcap(Path file, List<byte[]> frames) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + frames.stream().mapToInt(f -> 16 + f.length).sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        int t = 0;
        for (byte[] f : frames) {
            b.putInt(1_700_000_000).putInt(t++).putInt(f.length).putInt(f.length).put(f);
        }
        Files.write(file, b.array());
    }

    static List<byte[]> readPcap(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        // microsecond or (as DPDK's net_pcap writes) nanosecond timestamps
        assertThat(b.getInt(0)).isIn(0xa1b2c3d4, 0xa1b23c4d);
        List<byte[]> frames = new ArrayList<>();
        int at = 24;
        while (at + 16 <= b.limit()) {
            int incl = b.getInt(at + 8);
            byte[] f = new byte[incl];
            b.get(at + 16, f);
            frames.add(f);
            at += 16 + incl;
        }
        return frames;
    }

    @Test
    void framesFromAPcapComeOutTranslatedIntoAPcap() throws Exception {
        List<byte[]> in = new ArrayList<>();
        int flows = 200;
        for (int i = 0; i < flows; i++) {
            in.add(Frames.udp(i % 2 == 0 ? HOST : HOST2, 20000 + i, REMOTE, 53).payload(new byte[]{(byte) i})
                    .build());
        }
        in.add(Frames.tcp(HOST, 33000, REMOTE, 443).flags(Frames.SYN).seq(1000).build());
        in.add(Frames.echoRequest(HOST, REMOTE, 4242, 1).payload(new byte[16]).build());
        in.add(Frames.udp(HOST, 9, REMOTE, 9).fragment(true, 0).payload(new byte[8]).build());
        in.add(Frames.udp(HOST, 9, REMOTE, 9).badIpChecksum().build());
        Path inRx = dir.resolve("inside-rx.pcap");
        Path inTx = dir.resolve("inside-tx.pcap");
        Path outRx = dir.resolve("outside-rx.pcap");
        Path outTx = dir.resolve("outside-tx.pcap");
        writePcap(inRx, in);
        writePcap(outRx, List.of());
        Engine engine = new Engine(TestSettings.of(Map.of("inside.device",
                "net_pcap,rx_pcap=" + inRx + ",tx_pcap=" + inTx, "outside.device",
                "net_pcap,rx_pcap=" + outRx + ",tx_pcap=" + outTx, "outside.gateway", "", "workers.cpus", "none",
                "mbufs", 2047)));
        engine.learnNeighbour(1, REMOTE, 0x02_00_00_00_07_07L);
        NatManager nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1 << 16, 1024, Duration.ofSeconds(1),
                1 << 16, OtherProtocolPolicy.DROP, false, 4096));
        nat.addPool(PoolDefinition.of("default", List.of(new Ipv4Range(GLOBAL, GLOBAL))));
        // the stage is there before the first burst
        engine.addStage(nat, "nat", 500, 1);
        Map<String, Long> drops;
        try {
            engine.start();
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> engine.workerPackets()[0] >= in.size());
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> nat.counters().drops().getOrDefault("bad-ip-checksum", 0L) == 1);
            drops = nat.counters().drops();
        } finally {
            engine.stop();
            nat.close();
        }
        List<byte[]> out = readPcap(outTx);
        assertThat(out).as("every valid frame but the bad checksum").hasSize(flows + 3);
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < flows; i++) {
            FrameView v = new FrameView(out.get(i));
            assertThat(v.src()).isEqualTo(GLOBAL);
            assertThat(v.dst()).isEqualTo(REMOTE);
            assertThat(v.dstPort()).isEqualTo(53);
            assertThat(v.ttl()).isEqualTo(63);
            assertThat(v.ipChecksumValid()).isTrue();
            assertThat(v.l4ChecksumValid()).isTrue();
            assertThat(v.payload()).containsExactly((byte) i);
            assertThat(ByteBuffer.wrap(v.bytes()).getInt(0)).as("next hop MAC").isEqualTo(0x0200_0000);
            ports.add(v.srcPort());
        }
        assertThat(ports).hasSize(flows);
        FrameView syn = new FrameView(out.get(flows));
        assertThat(syn.tcpFlags()).isEqualTo(Frames.SYN);
        assertThat(syn.seq()).isEqualTo(1000);
        assertThat(syn.src()).isEqualTo(GLOBAL);
        assertThat(syn.l4ChecksumValid()).isTrue();
        FrameView echo = new FrameView(out.get(flows + 1));
        assertThat(echo.icmpType()).isEqualTo(Frames.ECHO_REQUEST);
        assertThat(echo.src()).isEqualTo(GLOBAL);
        assertThat(echo.l4ChecksumValid()).isTrue();
        // a first fragment through a DPDK port (net_pcap hands fragments over as they come): translated as the
        // first of its datagram, MF still set
        FrameView fragment = new FrameView(out.get(flows + 2));
        assertThat(fragment.src()).isEqualTo(GLOBAL);
        assertThat(fragment.ipChecksumValid()).isTrue();
        assertThat(ByteBuffer.wrap(fragment.bytes()).getShort(14 + 6) & 0x2000).isEqualTo(0x2000);
        assertThat(drops.getOrDefault("fragment", 0L)).isZero();
        assertThat(drops.getOrDefault("bad-ip-checksum", 0L)).isEqualTo(1);
        assertThat(readPcap(inTx)).as("nothing goes back inside").isEmpty();
    }
}
