package dev.natgw.dataplane.dpdk;

import static dev.natgw.dataplane.dpdk.GatewayRingTest.arp;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packet path allocates nothing: the real worker loop (receive burst, gateway checks, the NAT stage, neighbour
 * lookup, transmit) on ring ports, measured by the worker thread's own allocation counter around thousands of
 * bursts. The test's thread builds and reads the frames; only the worker's bytes count.
 */
class WorkerAllocationTest {
    static final int HOST = Frames.ip("198.18.0.2");
    static final int INSIDE_GW = Frames.ip("198.18.0.1");
    static final int GLOBAL = Frames.ip("198.19.0.1");
    static final int ROUTER = Frames.ip("198.19.0.2");
    static final long HOST_MAC = 0x02_00_00_00_00_02L;
    static final long ROUTER_MAC = 0x02_00_00_00_01_02L;
    static final int FLOWS = 256;
    static final int ROUNDS = 20;
    static final int WINDOWS = 6;
    static Engine engine;
    static NatManager nat;
    static RingPorts rings;
    static ThreadMXBean threads;
    static long worker;

    @BeforeAll
    static void start() throws Throwable {
        engine = new Engine(TestSettings.of(Map.of("inside.device", "ring:wai", "outside.device", "ring:wao",
                "outside.gateway", "", "workers.cpus", "none", "mbufs", 4095)));
        engine.start();
        nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1 << 16, 1024, Duration.ofSeconds(1), 1 << 16,
                OtherProtocolPolicy.DROP, false, 4096));
        nat.addPool(PoolDefinition.of("default", List.of(new Ipv4Range(GLOBAL, GLOBAL))));
        assertThat(engine.addStage(nat, "nat", 500, 1)).isTrue();
        rings = new RingPorts();
        rings.inject(engine.port(PortRole.INSIDE), "wai", arp(1, HOST_MAC, HOST, 0, INSIDE_GW));
        assertThat(rings.collect("wai", 1, Duration.ofSeconds(5))).hasSize(1);
        rings.inject(engine.port(PortRole.OUTSIDE), "wao", arp(1, ROUTER_MAC, ROUTER, 0, GLOBAL));
        assertThat(rings.collect("wao", 1, Duration.ofSeconds(5))).hasSize(1);
        threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        worker = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("natgw-worker-0"))
                .findFirst().orElseThrow().threadId();
    }

    @AfterAll
    static void stop() {
        RingPorts.stopAll(engine, nat, rings);
    }

    @Test
    void establishedFlowsBothWaysAllocateNothing() throws Throwable {
        List<byte[]> out = new ArrayList<>();
        List<byte[]> back = new ArrayList<>();
        // a third each of UDP, TCP (opened by a SYN and its answer, then carrying data) and ICMP echo
        List<byte[]> opening = new ArrayList<>();
        for (int i = 0; i < FLOWS; i++) {
            opening.add(switch (i % 3) {
                case 0 -> Frames.udp(HOST, 20000 + i, ROUTER, 7).payload(new byte[18]).build();
                case 1 -> Frames.tcp(HOST, 20000 + i, ROUTER, 80).flags(Frames.SYN).build();
                default -> Frames.echoRequest(HOST, ROUTER, 20000 + i, 1).payload(new byte[18]).build();
            });
        }
        List<byte[]> answers = new ArrayList<>();
        for (byte[] f : pass("wai", "wao", opening)) {
            FrameView v = new FrameView(f);
            switch (v.proto()) {
                case Frames.UDP -> back.add(Frames.udp(ROUTER, 7, GLOBAL, v.srcPort()).payload(new byte[18]).build());
                case Frames.TCP -> {
                    answers.add(Frames.tcp(ROUTER, 80, GLOBAL, v.srcPort()).flags(Frames.SYN | Frames.ACK).build());
                    back.add(Frames.tcp(ROUTER, 80, GLOBAL, v.srcPort()).flags(Frames.ACK).payload(new byte[18])
                            .build());
                }
                default -> back.add(Frames.echoReply(ROUTER, GLOBAL, v.icmpId(), 1).payload(new byte[18]).build());
            }
        }
        assertThat(pass("wao", "wai", answers)).hasSize(answers.size());
        for (int i = 0; i < FLOWS; i++) {
            out.add(switch (i % 3) {
                case 0 -> Frames.udp(HOST, 20000 + i, ROUTER, 7).payload(new byte[18]).build();
                case 1 -> Frames.tcp(HOST, 20000 + i, ROUTER, 80).flags(Frames.ACK).payload(new byte[18]).build();
                default -> Frames.echoRequest(HOST, ROUTER, 20000 + i, 2).payload(new byte[18]).build();
            });
        }
        assertThat(back).hasSize(FLOWS);
        allocatesNothing("established UDP, TCP and ICMP echo both ways",
                () -> pass("wai", "wao", out).size() + pass("wao", "wai",
                        back).size());
    }

    @Test
    void newSessionsAllocateNothing() throws Throwable {
        // each round opens FLOWS new sessions, so port allocation and session insertion run for every packet
        int[] next = {0};
        allocatesNothing("new sessions", () -> {
            int moved = pass("wai", "wao", newFlows(next[0])).size();
            next[0] += FLOWS;
            return moved;
        });
    }

    /** A round of traffic through the worker; returns the packets it moved. */
    interface Round {
        int run() throws Throwable;
    }

    /**
     * Runs rounds in windows of {@link #ROUNDS}, after twice as many to warm up, reading the worker's allocation counter
     * around each window. A packet path that allocated would show in every window, at least 16 bytes per packet
     * (the smallest object). What the JVM itself does now and then on the thread (a method recompiled, a call site
     * linked) shows as a few hundred bytes, at most a kilobyte or two, in one window: so at least half the windows
     * must be zero, and none may reach one byte per packet.
     */
    private static void allocatesNothing(String what, Round round) throws Throwable {
        for (int i = 0; i < 2 * ROUNDS; i++) {
            round.run();
        }
        long[] bytes = new long[WINDOWS];
        int packets = 0;
        for (int w = 0; w < WINDOWS; w++) {
            long before = threads.getThreadAllocatedBytes(worker);
            int moved = 0;
            for (int i = 0; i < ROUNDS; i++) {
                moved += round.run();
            }
            bytes[w] = threads.getThreadAllocatedBytes(worker) - before;
            packets = moved;
        }
        System.out.println("natgw worker allocation, " + what + ": bytes per window of " + packets + " packets "
                + Arrays.toString(bytes));
        assertThat(Arrays.stream(bytes).filter(b -> b == 0).count()).as("windows without a byte allocated, of %s",
                Arrays.toString(bytes)).isGreaterThanOrEqualTo(WINDOWS / 2);
        assertThat(Arrays.stream(bytes).max().orElseThrow()).as("most bytes in a window of %d packets", packets)
                .isLessThan(packets);
    }

    /** FLOWS flows never seen before: flow k from one of 200 inside hosts, so no host reaches its port quota. */
    private static List<byte[]> newFlows(int first) {
        List<byte[]> frames = new ArrayList<>();
        for (int k = first; k < first + FLOWS; k++) {
            frames.add(Frames.udp(HOST + 8 + k % 200, 1024 + k / 200, ROUTER, 9).payload(new byte[18]).build());
        }
        return frames;
    }

    /** Sends the frames into one ring port and takes as many out of the other. */
    private static List<byte[]> pass(String from, String to, List<byte[]> frames) throws Throwable {
        Port port = engine.port(from.equals("wai") ? PortRole.INSIDE : PortRole.OUTSIDE);
        assertThat(rings.inject(port, from, frames)).isEqualTo(frames.size());
        List<byte[]> got = rings.collect(to, frames.size(), Duration.ofSeconds(5));
        assertThat(got).hasSize(frames.size());
        return got;
    }
}
