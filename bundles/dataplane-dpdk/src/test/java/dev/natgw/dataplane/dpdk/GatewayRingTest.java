package dev.natgw.dataplane.dpdk;

import java.nio.charset.StandardCharsets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real DPDK dataplane with the real NAT stage, on ring ports the test feeds and drains: ARP, ICMP
 * to the gateway, TTL, MTU, and NAPT both ways, each frame checked field by field with checksums the
 * test computes itself (FrameView).
 */
class GatewayRingTest {
    static final int INSIDE_GW = Frames.ip("198.18.0.1");
    static final int HOST = Frames.ip("198.18.0.2");
    static final int GLOBAL = Frames.ip("198.19.0.1");
    static final int ROUTER = Frames.ip("198.19.0.2");
    static final int FAR = Frames.ip("198.19.0.130");
    static final long HOST_MAC = 0x02_00_00_00_00_02L;
    static final long ROUTER_MAC = 0x02_00_00_00_01_02L;
    static Engine engine;
    static NatManager nat;
    static RingPorts rings;

    @BeforeAll
    static void start() throws Throwable {
        engine = new Engine(TestSettings.of(Map.of("inside.device", "ring:gti", "outside.device", "ring:gto",
                "outside.mtu", 1400, "outside.gateway", "", "workers.cpus", "none", "mbufs", 2047)));
        engine.start();
        nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1 << 16, 1024, Duration.ofSeconds(1), 1 << 16,
                OtherProtocolPolicy.DROP, false, 4096));
        nat.addPool(PoolDefinition.of("default", List.of(new Ipv4Range(GLOBAL, GLOBAL))));
        assertThat(engine.addStage(nat, "nat", 500, 1)).isTrue();
        rings = new RingPorts();
        // the inside host and the outside router announce themselves, as they would before sending
        rings.inject(in(), "gti", arp(1, HOST_MAC, HOST, 0, INSIDE_GW));
        assertThat(rings.collect("gti", 1, Duration.ofSeconds(5))).hasSize(1);
        rings.inject(out(), "gto", arp(1, ROUTER_MAC, ROUTER, 0, GLOBAL));
        assertThat(rings.collect("gto", 1, Duration.ofSeconds(5))).hasSize(1);
    }

    @AfterAll
    static void stop() {
        RingPorts.stopAll(engine, nat, rings);
    }

    static Port in() {
        return engine.port(PortRole.INSIDE);
    }

    static Port out() {
        return engine.port(PortRole.OUTSIDE);
    }

    /** An ARP frame: op 1 request, 2 reply. */
    static byte[] arp(int op, long senderMac, int senderIp, long targetMac, int targetIp) {
        ByteBuffer b = ByteBuffer.allocate(60);
        putMac(b, op == 1 ? 0xffff_ffff_ffffL : targetMac);
        putMac(b, senderMac);
        b.putShort((short) 0x0806).putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4)
                .putShort((short) op);
        putMac(b, senderMac);
        b.putInt(senderIp);
        putMac(b, targetMac);
        b.putInt(targetIp);
        return b.array();
    }

    static void putMac(ByteBuffer b, long mac) {
        b.putInt((int) (mac >>> 16)).putShort((short) mac);
    }

    static long mac(byte[] f, int at) {
        return (ByteBuffer.wrap(f).getInt(at) & 0xffff_ffffL) << 16 | (ByteBuffer.wrap(f).getShort(at + 4) & 0xffff);
    }

    static byte[] one(String ring) throws Throwable {
        List<byte[]> got = rings.collect(ring, 1, Duration.ofSeconds(5));
        assertThat(got).as("one frame out of " + ring).hasSize(1);
        return got.get(0);
    }

    @Test
    void answersArpForItsAddressesAndThePool() throws Throwable {
        rings.inject(in(), "gti", arp(1, HOST_MAC, HOST, 0, INSIDE_GW));
        byte[] reply = one("gti");
        ByteBuffer r = ByteBuffer.wrap(reply);
        assertThat(r.getShort(12) & 0xffff).isEqualTo(0x0806);
        assertThat(r.getShort(20)).isEqualTo((short) 2);
        assertThat(mac(reply, 0)).isEqualTo(HOST_MAC);
        assertThat(mac(reply, 22)).isEqualTo(in().mac()).isEqualTo(mac(reply, 6));
        assertThat(r.getInt(28)).isEqualTo(INSIDE_GW);
        assertThat(mac(reply, 32)).isEqualTo(HOST_MAC);
        assertThat(r.getInt(38)).isEqualTo(HOST);
        // a request for an address that is not ours gets nothing
        rings.inject(in(), "gti", arp(1, HOST_MAC, HOST, 0, Frames.ip("198.18.0.77")));
        assertThat(rings.collect("gti", 1, Duration.ofMillis(300))).isEmpty();
        assertThat(engine.counters().get("arp-replies")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void answersPingToTheGateway() throws Throwable {
        byte[] ping = Frames.echoRequest(HOST, INSIDE_GW, 77, 1).payload(new byte[]{1, 2, 3, 4, 5}).build();
        rings.inject(in(), "gti", ping);
        FrameView v = new FrameView(one("gti"));
        assertThat(v.icmpType()).isEqualTo(Frames.ECHO_REPLY);
        assertThat(v.src()).isEqualTo(INSIDE_GW);
        assertThat(v.dst()).isEqualTo(HOST);
        assertThat(v.icmpId()).isEqualTo(77);
        assertThat(v.payload()).containsExactly(1, 2, 3, 4, 5);
        assertThat(v.ipChecksumValid()).isTrue();
        assertThat(v.l4ChecksumValid()).isTrue();
    }

    @Test
    void translatesUdpBothWays() throws Throwable {
        byte[] query = Frames.udp(HOST, 40000, ROUTER, 53).payload("hello".getBytes(StandardCharsets.US_ASCII)).ttl(64)
                .build();
        rings.inject(in(), "gti", query);
        byte[] f = one("gto");
        FrameView v = new FrameView(f);
        assertThat(v.src()).isEqualTo(GLOBAL);
        assertThat(v.dst()).isEqualTo(ROUTER);
        assertThat(v.dstPort()).isEqualTo(53);
        assertThat(v.ttl()).isEqualTo(63);
        assertThat(v.ipChecksumValid()).isTrue();
        assertThat(v.l4ChecksumValid()).isTrue();
        assertThat(mac(f, 0)).as("next hop's MAC").isEqualTo(ROUTER_MAC);
        assertThat(mac(f, 6)).as("outside port's MAC").isEqualTo(out().mac());
        int port = v.srcPort();
        byte[] answer = Frames.udp(ROUTER, 53, GLOBAL, port).payload("world".getBytes(StandardCharsets.US_ASCII))
                .build();
        rings.inject(out(), "gto", answer);
        byte[] back = one("gti");
        FrameView w = new FrameView(back);
        assertThat(w.dst()).isEqualTo(HOST);
        assertThat(w.dstPort()).isEqualTo(40000);
        assertThat(w.src()).isEqualTo(ROUTER);
        assertThat(w.ttl()).isEqualTo(63);
        assertThat(w.ipChecksumValid()).isTrue();
        assertThat(w.l4ChecksumValid()).isTrue();
        assertThat(new String(w.payload(), StandardCharsets.US_ASCII)).isEqualTo("world");
        assertThat(mac(back, 0)).isEqualTo(HOST_MAC);
    }

    @Test
    void asksArpForAnUnknownNextHopThenForwards() throws Throwable {
        int other = Frames.ip("198.19.0.77");
        byte[] syn = Frames.tcp(HOST, 41000, other, 80).flags(Frames.SYN).build();
        rings.inject(in(), "gti", syn);
        byte[] req = one("gto");
        ByteBuffer r = ByteBuffer.wrap(req);
        assertThat(r.getShort(12) & 0xffff).isEqualTo(0x0806);
        assertThat(r.getShort(20)).isEqualTo((short) 1);
        assertThat(r.getInt(28)).isEqualTo(GLOBAL);
        assertThat(r.getInt(38)).isEqualTo(other);
        long otherMac = 0x02_00_00_00_07_07L;
        rings.inject(out(), "gto", arp(2, otherMac, other, out().mac(), GLOBAL));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> engine.neighbours("outside")
                .stream().anyMatch(e -> e[0].equals("198.19.0.77") && e[1].equals("02:00:00:00:07:07")));
        rings.inject(in(), "gti", syn);
        byte[] f = one("gto");
        assertThat(mac(f, 0)).isEqualTo(otherMac);
        assertThat(new FrameView(f).src()).isEqualTo(GLOBAL);
    }

    @Test
    void forgedArpChangesNoKnownNeighbour() throws Throwable {
        long forged = 0x02_66_66_66_66_66L;
        long refused = engine.counters().get("arp-refused");
        // the router announced itself at the start; now someone else claims its address three ways: a gratuitous
        // reply to everyone, a reply to natgw that natgw never asked for, and a request to natgw
        rings.inject(out(), "gto", List.of(arp(2, forged, ROUTER, 0xffff_ffff_ffffL, ROUTER),
                arp(2, forged, ROUTER, out().mac(), GLOBAL), arp(1, forged, ROUTER, 0, GLOBAL)));
        // natgw still answers the request, to whoever asked
        byte[] answer = one("gto");
        assertThat(ByteBuffer.wrap(answer).getShort(20)).isEqualTo((short) 2);
        assertThat(engine.counters().get("arp-refused")).isEqualTo(refused + 3);
        assertThat(engine.neighbours("outside")).anySatisfy(r -> assertThat(r).startsWith("198.19.0.2",
                "02:00:00:00:01:02"));
        rings.inject(in(), "gti", Frames.udp(HOST, 40999, ROUTER, 53).payload(new byte[8]).build());
        byte[] f = one("gto");
        assertThat(mac(f, 0)).as("the router's real MAC").isEqualTo(ROUTER_MAC);
        assertThat(new FrameView(f).src()).isEqualTo(GLOBAL);
    }

    @Test
    void expiringTtlComesBackAsTimeExceeded() throws Throwable {
        byte[] probe = Frames.udp(HOST, 33434, FAR, 33434).ttl(1).payload(new byte[12]).build();
        rings.inject(in(), "gti", probe);
        FrameView v = new FrameView(one("gti"));
        assertThat(v.icmpType()).isEqualTo(Frames.TIME_EXCEEDED);
        assertThat(v.src()).isEqualTo(INSIDE_GW);
        assertThat(v.dst()).isEqualTo(HOST);
        assertThat(v.ipChecksumValid()).isTrue();
        assertThat(v.l4ChecksumValid()).isTrue();
        FrameView inner = v.inner();
        assertThat(inner.src()).isEqualTo(HOST);
        assertThat(inner.dst()).isEqualTo(FAR);
        assertThat(inner.srcPort()).isEqualTo(33434);
    }

    @Test
    void tooBigWithDfGetsFragmentationNeeded() throws Throwable {
        byte[] big = Frames.udp(HOST, 42000, ROUTER, 9).payload(new byte[1450]).build();
        rings.inject(in(), "gti", big);
        FrameView v = new FrameView(one("gti"));
        assertThat(v.icmpType()).isEqualTo(Frames.DEST_UNREACHABLE);
        assertThat(v.icmpCode()).isEqualTo(4);
        assertThat(ByteBuffer.wrap(v.bytes()).getShort(14 + 20 + 6)).as("next-hop MTU").isEqualTo((short) 1400);
        assertThat(v.l4ChecksumValid()).isTrue();
    }

    @Test
    void burstsOfManyFlowsAllComeOutTranslated() throws Throwable {
        int flows = 2000;
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < flows; i++) {
            frames.add(Frames.udp(HOST, 10000 + i, ROUTER, 7).payload(new byte[32]).build());
        }
        int sent = 0;
        List<byte[]> got = new ArrayList<>();
        for (int i = 0; i < flows; i += 256) {
            List<byte[]> chunk = frames.subList(i, Math.min(flows, i + 256));
            sent += rings.inject(in(), "gti", chunk);
            got.addAll(rings.collect("gto", chunk.size(), Duration.ofSeconds(5)));
        }
        assertThat(sent).isEqualTo(flows);
        assertThat(got).hasSize(flows);
        Set<Integer> ports = new HashSet<>();
        for (byte[] f : got) {
            FrameView v = new FrameView(f);
            assertThat(v.src()).isEqualTo(GLOBAL);
            assertThat(v.l4ChecksumValid()).isTrue();
            ports.add(v.srcPort());
        }
        assertThat(ports).as("one outside port per flow").hasSize(flows);
    }

    @Test
    void dropsWhatIsNotIpv4AndCountsIt() throws Throwable {
        long before = engine.counters().get("drop-not-ipv4");
        byte[] ipv6 = new byte[80];
        ipv6[12] = (byte) 0x86;
        ipv6[13] = (byte) 0xdd;
        rings.inject(in(), "gti", ipv6);
        rings.inject(in(), "gti", new byte[10]);
        assertThat(rings.collect("gto", 1, Duration.ofMillis(300))).isEmpty();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> engine.counters().get("drop-not-ipv4") == before + 1);
        assertThat(engine.counters().get("drop-runt")).isGreaterThanOrEqualTo(1);
    }
}
