package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.StageContext;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.nat.testing.Frames;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Stage succession on the real dataplane with ring ports: a withdrawn stage keeps running until a stage
 * of the same name takes its place in one publication, or until the hand-over time passes; a stop while
 * a succession is pending detaches it once.
 */
class StageSuccessionTest {
    static final int HOST = Frames.ip("198.18.0.2");
    static final int ROUTER = Frames.ip("198.19.0.2");
    static final long ROUTER_MAC = 0x02_00_00_00_01_02L;
    static final int PACKETS = 20_000;
    static final int CHUNK = 200;
    static final ValueLayout.OfShort BIG_ENDIAN_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(
            ByteOrder.BIG_ENDIAN);

    /**
     * Forwards every inside UDP packet to the outside and marks, by the packet's sequence number (its
     * source port), that it saw it; records any call after its detach.
     */
    static final class MarkingStage implements PacketStage {
        final AtomicIntegerArray seen = new AtomicIntegerArray(PACKETS);
        volatile boolean attached;
        volatile int detaches;
        volatile boolean calledWhileDetached;

        @Override
        public void attach(StageContext ctx) {
            attached = true;
        }

        @Override
        public void detach() {
            attached = false;
            detaches++;
        }

        @Override
        public void process(PacketBurst b) {
            if (!attached) {
                calledWhileDetached = true;
            }
            for (int i = 0; i < b.size(); i++) {
                if (b.verdict(i) == Verdict.PASS && b.inPort(i) == 0) {
                    int seq = Short.toUnsignedInt(b.memory().get(BIG_ENDIAN_SHORT, b.dataOffset(i) + 34));
                    if (seq >= 1 && seq <= PACKETS) {
                        seen.incrementAndGet(seq - 1);
                    }
                    b.setVerdict(i, Verdict.TX_OUTSIDE);
                }
            }
        }

        int count() {
            int n = 0;
            for (int i = 0; i < PACKETS; i++) {
                n += seen.get(i);
            }
            return n;
        }
    }

    private static Engine engine(String name, int handoverMillis) {
        Engine e = new Engine(TestSettings.of(Map.of("inside.device", "ring:" + name + "i", "outside.device",
                "ring:" + name + "o", "outside.gateway", "", "workers.cpus", "none", "mbufs", 4095,
                "stage.handover.millis", handoverMillis)));
        e.start();
        e.learnNeighbour(PortRole.OUTSIDE.code(), ROUTER, ROUTER_MAC);
        return e;
    }

    /** Sends sequence numbers [from, to] from the inside and collects what leaves the outside. */
    private static int stream(Engine e, RingPorts rings, String name, int from, int to) throws Throwable {
        int out = 0;
        for (int first = from; first <= to; first += CHUNK) {
            List<byte[]> frames = new ArrayList<>();
            for (int seq = first; seq <= Math.min(to, first + CHUNK - 1); seq++) {
                frames.add(Frames.udp(HOST, seq, ROUTER, 9).payload(new byte[]{1, 2, 3, 4}).ttl(64).build());
            }
            int sent = 0;
            while (sent < frames.size()) {
                sent += rings.inject(e.port(PortRole.INSIDE), name + "i", frames.subList(sent, frames.size()));
            }
            out += rings.collect(name + "o", frames.size(), Duration.ofSeconds(5)).size();
        }
        return out;
    }

    @Test
    void aReplacedStageLosesNoPacketAndEachIsSeenByExactlyOneOfOldAndNew() throws Throwable {
        Engine e = engine("ssa", 10_000);
        try (RingPorts rings = new RingPorts()) {
            MarkingStage old = new MarkingStage();
            MarkingStage next = new MarkingStage();
            assertThat(e.addStage(old, "mark", 500, 1)).isTrue();
            int out = stream(e, rings, "ssa", 1, PACKETS / 4);
            e.removeStage(old);
            assertThat(e.stages()).as("withdrawn, still running").containsExactly("gateway", "mark");
            assertThat(e.handingOver()).containsExactly("mark");
            out += stream(e, rings, "ssa", PACKETS / 4 + 1, PACKETS / 2);
            // the successor comes while packets flow
            CompletableFuture<Boolean> added = CompletableFuture.supplyAsync(() -> e.addStage(next, "mark", 500, 2));
            out += stream(e, rings, "ssa", PACKETS / 2 + 1, PACKETS);
            assertThat(added.get()).isTrue();
            assertThat(out).as("packets out of " + PACKETS).isEqualTo(PACKETS);
            assertThat(e.counters().get("drop-no-stage")).isZero();
            for (int i = 0; i < PACKETS; i++) {
                assertThat(old.seen.get(i) + next.seen.get(i)).as("times packet %d was seen", i + 1).isEqualTo(1);
            }
            assertThat(old.count()).isPositive();
            assertThat(next.count()).isPositive();
            System.out.printf("natgw stage succession: %d packets, %d by the old stage, %d by its successor%n",
                    PACKETS, old.count(), next.count());
            assertThat(old.detaches).isEqualTo(1);
            assertThat(old.calledWhileDetached).isFalse();
            assertThat(next.attached).isTrue();
            assertThat(e.handingOver()).isEmpty();
            assertThat(e.stages()).containsExactly("gateway", "mark");
        } finally {
            e.stop();
        }
    }

    @Test
    void aStageWithoutSuccessorIsRemovedWhenTheHandOverTimePasses() throws Throwable {
        Engine e = engine("ssb", 300);
        try (RingPorts rings = new RingPorts()) {
            MarkingStage old = new MarkingStage();
            assertThat(e.addStage(old, "mark", 500, 1)).isTrue();
            e.removeStage(old);
            assertThat(stream(e, rings, "ssb", 1, 50)).isEqualTo(50);
            await().atMost(Duration.ofSeconds(5)).until(() -> e.stages().size() == 1);
            assertThat(old.detaches).isEqualTo(1);
            assertThat(e.handingOver()).isEmpty();
            assertThat(stream(e, rings, "ssb", 51, 60)).as("nothing forwards now").isZero();
            assertThat(e.counters().get("drop-no-stage")).isEqualTo(10);
            // a stage of that name added later is an ordinary addition
            MarkingStage late = new MarkingStage();
            assertThat(e.addStage(late, "mark", 500, 2)).isTrue();
            assertThat(stream(e, rings, "ssb", 61, 70)).isEqualTo(10);
        } finally {
            e.stop();
        }
    }

    @Test
    void aZeroHandOverTimeRemovesAtOnce() {
        Engine e = engine("ssc", 0);
        try {
            MarkingStage old = new MarkingStage();
            assertThat(e.addStage(old, "mark", 500, 1)).isTrue();
            e.removeStage(old);
            assertThat(e.stages()).containsExactly("gateway");
            assertThat(old.detaches).isEqualTo(1);
        } finally {
            e.stop();
        }
    }

    @Test
    void aStopDuringAPendingSuccessionDetachesTheOldStageOnce() {
        Engine e = engine("ssd", 60_000);
        MarkingStage old = new MarkingStage();
        assertThat(e.addStage(old, "mark", 500, 1)).isTrue();
        e.removeStage(old);
        e.stop();
        assertThat(old.detaches).isEqualTo(1);
        assertThat(e.handingOver()).isEmpty();
        assertThat(e.stages()).containsExactly("gateway");
        // started again, the withdrawn stage is not attached again, and its successor is an ordinary stage
        e.start();
        try {
            assertThat(old.detaches).isEqualTo(1);
            assertThat(old.attached).isFalse();
            MarkingStage next = new MarkingStage();
            assertThat(e.addStage(next, "mark", 500, 2)).isTrue();
            assertThat(next.attached).isTrue();
        } finally {
            e.stop();
        }
        assertThat(old.detaches).isEqualTo(1);
    }

    @Test
    void aNegativeHandOverTimeIsRefusedByName() {
        assertThatThrownBy(() -> TestSettings.of(Map.of("stage.handover.millis", -1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stage.handover.millis");
    }
}
