package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ports handed from one engine to the next (what a dataplane bundle update or a configuration change does):
 * the next engine takes over the started ports instead of closing and reopening them, so what arrives in
 * between waits in the device's queues and is answered, and the neighbours learnt go on; a port the new
 * configuration changes is closed and opened anew.
 */
class PortHandOverTest {
    static final int INSIDE_GW = Frames.ip("198.18.0.1");
    static final int HOST = Frames.ip("198.18.0.2");
    static final long HOST_MAC = 0x02_00_00_00_00_02L;
    /** Echo requests that arrive while no engine runs; the ring port's receive ring holds 4096. */
    static final int IN_BETWEEN = 500;

    private final List<Engine> engines = new ArrayList<>();
    private final RingPorts rings = new RingPorts();

    @AfterEach
    void stop() {
        for (Engine e : engines) {
            e.stop();
        }
        rings.close();
    }

    private Engine engine(int outsideMtu) {
        Engine e = new Engine(TestSettings.of(Map.of("inside.device", "ring:phi", "outside.device", "ring:pho",
                "outside.mtu", outsideMtu, "outside.gateway", "", "workers.cpus", "none", "mbufs", 2047)));
        engines.add(e);
        return e;
    }

    @Test
    void theNextEngineTakesTheStartedPortsOverAndAnswersWhatArrivedInBetween() throws Throwable {
        Engine first = engine(1400);
        first.start();
        Port in = first.port(PortRole.INSIDE);
        Port out = first.port(PortRole.OUTSIDE);
        rings.inject(in, "phi", GatewayRingTest.arp(1, HOST_MAC, HOST, 0, INSIDE_GW));
        assertThat(rings.collect("phi", 1, Duration.ofSeconds(5))).hasSize(1);

        List<PortDeposit.StartedPort> handed = first.handOver();
        assertThat(handed).hasSize(2);
        assertThat(first.running()).isFalse();
        // nobody polls now; the device keeps what arrives
        List<byte[]> pings = new ArrayList<>();
        for (int seq = 0; seq < IN_BETWEEN; seq++) {
            pings.add(Frames.echoRequest(HOST, INSIDE_GW, 9, seq).build());
        }
        assertThat(rings.inject(in, "phi", pings)).isEqualTo(IN_BETWEEN);

        Engine next = engine(1400);
        next.offer(handed);
        next.start();
        assertThat(next.adoptedPorts()).isEqualTo(2);
        assertThat(next.counters().get("ports-taken-over")).isEqualTo(2);
        assertThat(next.port(PortRole.INSIDE).id()).isEqualTo(in.id());
        assertThat(next.port(PortRole.INSIDE).mac()).isEqualTo(in.mac());
        assertThat(next.port(PortRole.INSIDE).pool().address()).isEqualTo(in.pool().address());
        assertThat(next.port(PortRole.OUTSIDE).id()).isEqualTo(out.id());
        assertThat(next.neighbours("inside")).anySatisfy(row -> assertThat(row[0]).isEqualTo("198.18.0.2"));

        List<byte[]> replies = rings.collect("phi", IN_BETWEEN, Duration.ofSeconds(10));
        assertThat(replies).as("echo requests that arrived between the two engines, answered").hasSize(IN_BETWEEN);
        for (int seq = 0; seq < IN_BETWEEN; seq++) {
            FrameView v = new FrameView(replies.get(seq));
            assertThat(v.icmpType()).isEqualTo(Frames.ECHO_REPLY);
            assertThat(v.icmpSeq()).isEqualTo(seq);
        }
        assertThat(next.port(PortRole.INSIDE).poolAvailable()).isEqualTo(2047);
    }

    @Test
    void aPortTheNewConfigurationChangesIsClosedAndOpenedAnew() throws Throwable {
        Engine first = engine(1400);
        first.start();
        Port in = first.port(PortRole.INSIDE);
        List<PortDeposit.StartedPort> handed = first.handOver();

        Engine next = engine(1300);
        next.offer(handed);
        next.start();
        assertThat(next.adoptedPorts()).as("only the inside port fits").isEqualTo(1);
        assertThat(next.port(PortRole.INSIDE).id()).isEqualTo(in.id());
        Port out = next.port(PortRole.OUTSIDE);
        assertThat(out.mtu).isEqualTo(1300);
        assertThat(out.poolAvailable()).as("a new, full pool").isEqualTo(2047);
        // the reopened port works
        rings.inject(out, "pho", GatewayRingTest.arp(1, 0x02_00_00_00_01_02L, Frames.ip("198.19.0.2"), 0,
                Frames.ip("198.19.0.1")));
        assertThat(rings.collect("pho", 1, Duration.ofSeconds(5))).hasSize(1);
    }

    @Test
    void aHandOverNobodyTakesIsClosedByWhoeverGetsIt() throws Throwable {
        Engine first = engine(1400);
        first.start();
        List<PortDeposit.StartedPort> handed = first.handOver();
        for (PortDeposit.StartedPort d : handed) {
            assertThat(Port.mismatch(d, d.role(), d.device(), 1, d.mtu(), 2047, RssConfig.symmetricDefault(1)))
                    .isNull();
            Port.adopt(d).close();
            assertThat(Port.mismatch(d, d.role(), d.device(), 1, d.mtu(), 2047, RssConfig.symmetricDefault(1)))
                    .as("closed: DPDK no longer knows the port").startsWith("DPDK has no port");
        }
        // the names are free again: a new engine opens its own ports on them
        Engine next = engine(1400);
        next.start();
        assertThat(next.adoptedPorts()).isZero();
    }
}
