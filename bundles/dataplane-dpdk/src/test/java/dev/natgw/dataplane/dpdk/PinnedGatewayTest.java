package dev.natgw.dataplane.dpdk;

import static dev.natgw.dataplane.dpdk.GatewayRingTest.FAR;
import static dev.natgw.dataplane.dpdk.GatewayRingTest.GLOBAL;
import static dev.natgw.dataplane.dpdk.GatewayRingTest.HOST;
import static dev.natgw.dataplane.dpdk.GatewayRingTest.HOST_MAC;
import static dev.natgw.dataplane.dpdk.GatewayRingTest.INSIDE_GW;
import static dev.natgw.dataplane.dpdk.GatewayRingTest.ROUTER;
import static dev.natgw.dataplane.dpdk.GatewayRingTest.arp;
import static dev.natgw.dataplane.dpdk.GatewayRingTest.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * outside.gateway.mac: the real dataplane on ring ports with the outside gateway's MAC pinned in the configuration.
 * Translated traffic leaves for that MAC without natgw ever asking for it, and no ARP packet from the outside
 * segment moves it.
 */
class PinnedGatewayTest {
    static final long PINNED = 0x02_00_00_00_02_01L;
    static Engine engine;
    static NatManager nat;
    static RingPorts rings;

    @BeforeAll
    static void start() throws Throwable {
        engine = new Engine(TestSettings.of(Map.of("inside.device", "ring:pgi", "outside.device", "ring:pgo",
                "outside.gateway", "198.19.0.2", "outside.gateway.mac", "02:00:00:00:02:01", "workers.cpus", "none",
                "mbufs", 2047)));
        engine.start();
        nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1 << 16, 1024, Duration.ofSeconds(1), 1 << 16,
                OtherProtocolPolicy.DROP, false, 4096));
        nat.addPool(PoolDefinition.of("default", List.of(new Ipv4Range(GLOBAL, GLOBAL))));
        assertThat(engine.addStage(nat, "nat", 500, 1)).isTrue();
        rings = new RingPorts();
        rings.inject(engine.port(PortRole.INSIDE), "pgi", arp(1, HOST_MAC, HOST, 0, INSIDE_GW));
        assertThat(rings.collect("pgi", 1, Duration.ofSeconds(5))).hasSize(1);
    }

    @AfterAll
    static void stop() {
        RingPorts.stopAll(engine, nat, rings);
    }

    static byte[] toFar(int port) throws Throwable {
        rings.inject(engine.port(PortRole.INSIDE), "pgi", Frames.udp(HOST, port, FAR, 53).payload(new byte[8]).build());
        List<byte[]> out = rings.collect("pgo", 1, Duration.ofSeconds(5));
        assertThat(out).as("one frame out").hasSize(1);
        return out.get(0);
    }

    @Test
    void trafficLeavesForThePinnedMacWithoutAsking() throws Throwable {
        assertThat(engine.neighbours("outside")).containsExactly(new String[]{"198.19.0.2", "02:00:00:00:02:01",
                "0", "pinned"});
        byte[] f = toFar(41000);
        assertThat(ByteBuffer.wrap(f).getShort(12)).as("IPv4, not an ARP request").isEqualTo((short) 0x0800);
        assertThat(mac(f, 0)).isEqualTo(PINNED);
        assertThat(new FrameView(f).src()).isEqualTo(GLOBAL);
        assertThat(engine.counters().get("arp-requests")).isZero();
    }

    @Test
    void noArpPacketMovesThePinnedGateway() throws Throwable {
        long forged = 0x02_66_66_66_66_66L;
        long refused = engine.counters().get("arp-refused");
        Port out = engine.port(PortRole.OUTSIDE);
        rings.inject(out, "pgo", List.of(arp(2, forged, ROUTER, 0xffff_ffff_ffffL, ROUTER),
                arp(2, forged, ROUTER, out.mac(), GLOBAL), arp(1, forged, ROUTER, 0, GLOBAL)));
        assertThat(rings.collect("pgo", 1, Duration.ofSeconds(5))).as("natgw answers the request").hasSize(1);
        assertThat(engine.counters().get("arp-refused")).isEqualTo(refused + 3);
        assertThat(mac(toFar(41001), 0)).isEqualTo(PINNED);
    }

    @Test
    void aPinnedMacIsCheckedWhenConfigured() {
        assertThatThrownBy(() -> TestSettings.of(Map.of("outside.gateway.mac", "02:00:00:00:02")))
                .hasMessage("outside.gateway.mac must be six octets such as 02:00:00:00:01:02, was 02:00:00:00:02");
        assertThatThrownBy(() -> TestSettings.of(Map.of("outside.gateway.mac", "01:00:5e:00:00:01")))
                .hasMessage("outside.gateway.mac must be a unicast address, was 01:00:5e:00:00:01");
        assertThatThrownBy(() -> TestSettings.of(Map.of("outside.gateway.mac", "02:00:00:zz:00:01")))
                .hasMessageStartingWith("outside.gateway.mac must be six hexadecimal octets");
        assertThatThrownBy(() -> TestSettings.of(Map.of("inside.gateway.mac", "02:00:00:00:00:09")))
                .hasMessage("inside.gateway.mac pins the gateway's MAC, but inside.gateway is empty");
        assertThat(TestSettings.of(Map.of("outside.gateway.mac", "02-00-00-00-02-01")).outsideGatewayMac())
                .isEqualTo(PINNED);
    }
}
