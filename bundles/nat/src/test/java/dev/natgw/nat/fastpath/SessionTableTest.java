package dev.natgw.nat.fastpath;

import dev.natgw.nat.handover.SessionLayout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SessionTableTest {
    private static final long TICK = 1L << SessionLayout.TICK_SHIFT;
    private static final long REVOLUTION = TICK * SessionLayout.WHEEL_SLOTS;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void mappingsAndSessionsAreFoundByBothKeys() {
        try (var t = new SessionTable(16, 4)) {
            int m = t.addMapping(6, 0x0a000001, 40000, 0xc6336401, 1234, 7, 3);
            assertThat(t.findMappingIn(6, 0x0a000001, 40000)).isEqualTo(m);
            assertThat(t.findMappingOut(6, 0xc6336401, 1234)).isEqualTo(m);
            assertThat(t.findMappingIn(17, 0x0a000001, 40000)).isEqualTo(-1);
            assertThat(new int[]{t.mProto(m), t.mInAddr(m), t.mInPort(m), t.mOutAddr(m), t.mOutPort(m), t.mPool(m),
                    t.mFlags(m)}).containsExactly(6, 0x0a000001, 40000, 0xc6336401, 1234, 7, 3);

            int s = t.addSession(m, 0x08080808, 443, 100L);
            assertThat(t.findIn(6, 0x0a000001, 40000, 0x08080808, 443)).isEqualTo(s);
            assertThat(t.findOut(6, 0xc6336401, 1234, 0x08080808, 443)).isEqualTo(s);
            assertThat(t.findOut(6, 0xc6336401, 1234, 0x08080808, 444)).isEqualTo(-1);
            assertThat(t.mapping(s)).isEqualTo(m);
            assertThat(t.remAddr(s)).isEqualTo(0x08080808);
            assertThat(t.remPort(s)).isEqualTo(443);
            assertThat(t.state(s)).isZero();
            assertThat(t.created(s)).isEqualTo(100L);
            assertThat(t.lastSeen(s)).isEqualTo(100L);
            t.touch(s, 250L);
            t.setState(s, 3);
            assertThat(t.lastSeen(s)).isEqualTo(250L);
            assertThat(t.created(s)).isEqualTo(100L);
            assertThat(t.state(s)).isEqualTo(3);
            assertThat(t.mappingSessions(m)).isEqualTo(1);
            assertThat(t.firstSession(m)).isEqualTo(s);
            assertThat(t.nextSessionOfMapping(s)).isEqualTo(-1);
            assertThat(t.size()).isEqualTo(1);
            assertThat(t.mappings()).isEqualTo(1);

            assertThatThrownBy(() -> t.removeMapping(m)).isInstanceOf(IllegalStateException.class);
            t.removeSession(s);
            assertThatThrownBy(() -> t.removeSession(s)).isInstanceOf(IllegalStateException.class);
            assertThat(t.findIn(6, 0x0a000001, 40000, 0x08080808, 443)).isEqualTo(-1);
            t.removeMapping(m);
            assertThat(t.findMappingOut(6, 0xc6336401, 1234)).isEqualTo(-1);
            assertThat(t.size()).isZero();
            assertThat(t.mappings()).isZero();
        }
    }

    @Test
    void sharedOutsideEndpointWalksAllMappingsMostRecentFirst() {
        try (var t = new SessionTable(16, 4, 1)) {
            int a = t.addMapping(17, 1, 1000, 99, 5000, 0, 0);
            int other = t.addMapping(17, 3, 1000, 99, 5001, 0, 0);
            int b = t.addMapping(17, 2, 1000, 99, 5000, 0, 0);
            assertThat(t.findMappingOut(17, 99, 5000)).isEqualTo(b);
            assertThat(t.nextMappingOut(b)).isEqualTo(a);
            assertThat(t.nextMappingOut(a)).isEqualTo(-1);
            assertThat(t.nextMappingOut(other)).isEqualTo(-1);
            int sa = t.addSession(a, 7, 53, 0);
            int sb = t.addSession(b, 8, 53, 0);
            assertThat(t.findOut(17, 99, 5000, 7, 53)).isEqualTo(sa);
            assertThat(t.findOut(17, 99, 5000, 8, 53)).isEqualTo(sb);
            assertThat(t.findIn(17, 2, 1000, 7, 53)).isEqualTo(-1);
        }
    }

    @Test
    void fullTableReturnsMinusOneAndFreedRecordsAreReused() {
        try (var t = new SessionTable(4, 4)) {
            int[] m = new int[4];
            for (int i = 0; i < 4; i++) {
                m[i] = t.addMapping(6, 1, 100 + i, 2, 200 + i, 0, 0);
                assertThat(m[i]).isNotNegative();
            }
            assertThat(t.addMapping(6, 1, 999, 2, 999, 0, 0)).isEqualTo(-1);
            int[] s = new int[4];
            for (int i = 0; i < 4; i++) {
                s[i] = t.addSession(m[0], 9, i, 0);
                assertThat(s[i]).isNotNegative();
            }
            assertThat(t.addSession(m[1], 9, 1, 0)).isEqualTo(-1);
            assertThat(t.mappingSessions(m[0])).isEqualTo(4);
            t.removeSession(s[2]);
            assertThat(t.addSession(m[1], 9, 1, 0)).isEqualTo(s[2]);
            t.removeMapping(m[3]);
            assertThat(t.addMapping(6, 1, 999, 2, 999, 0, 0)).isEqualTo(m[3]);
            assertThat(t.nextLive(0)).isEqualTo(0);
            assertThat(t.nextLive(4)).isEqualTo(-1);
        }
    }

    @Test
    void rejectsOutOfRangeFields() {
        try (var t = new SessionTable(4, 4)) {
            assertThatThrownBy(() -> t.addMapping(6, 1, 65536, 2, 1, 0, 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.addMapping(256, 1, 1, 2, 1, 0, 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.addSession(0, 1, 1, 0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void oneMillionSessionsCostAtMost128BytesEach() {
        try (var t = new SessionTable(1_000_000, 65536)) {
            System.out.printf("capacity 1M: %.2f B/session without hosts, %d B total (%.2f B/session)%n",
                    t.bytesPerSession(), t.bytes(), (double) t.bytes() / t.capacity());
            assertThat(t.bytesPerSession()).isLessThanOrEqualTo(128.0);
            assertThat(t.bytes() / t.capacity()).isLessThanOrEqualTo(128L);
        }
    }

    @Test
    void budgetHoldsForAwkwardCapacities() {
        for (int cap : new int[]{4096, 5000, (1 << 20) + 1, 3_000_000}) {
            try (var t = new SessionTable(cap, 1)) {
                assertThat(t.bytesPerSession()).as("capacity %d", cap).isLessThanOrEqualTo(128.0);
            }
        }
    }

    // ------------------------------------------------------------ wheel

    @Test
    void wheelNeverReturnsEarlyAndEventuallyReturnsAll() {
        var rnd = new Random(42);
        long t0 = -5 * REVOLUTION + rnd.nextLong(REVOLUTION); // nanoTime may be negative
        try (var t = new SessionTable(5000, 4)) {
            int m = t.addMapping(17, 1, 1, 2, 2, 0, 0);
            Map<Integer, Long> due = new HashMap<>();
            for (int i = 0; i < 5000; i++) {
                int s = t.addSession(m, i, 1, t0);
                long d = t0 + rnd.nextLong(3 * REVOLUTION);
                t.schedule(s, d);
                due.put(s, d);
            }
            assertThat(t.scheduled()).isEqualTo(5000);
            Set<Integer> returned = new HashSet<>();
            long now = t0;
            while (returned.size() < 5000 && now < t0 + 5 * REVOLUTION) {
                now += rnd.nextLong(3 * TICK);
                drain(t, now, due, returned);
                for (var e : due.entrySet()) {
                    if (e.getValue() <= now && !returned.contains(e.getKey())) {
                        throw new AssertionError("due " + e.getValue() + " not returned at " + now);
                    }
                }
            }
            assertThat(returned).hasSize(5000);
            assertThat(t.scheduled()).isZero();
        }
    }

    /** Polls at {@code now} until the wheel has nothing due, checking that nothing comes early. */
    private static void drain(SessionTable t, long now, Map<Integer, Long> due, Set<Integer> returned) {
        int idle = 0;
        // -1 may mean "budget spent", so only several in a row mean "nothing due"
        while (idle < 8) {
            int s = t.pollDue(now);
            if (s < 0) {
                idle++;
                continue;
            }
            idle = 0;
            assertThat(due.get(s)).isLessThanOrEqualTo(now);
            assertThat(returned.add(s)).as("returned twice: %d", s).isTrue();
            assertThat(t.isScheduled(s)).isFalse();
            assertThat(t.isLive(s)).isTrue();
        }
    }

    @Test
    void rescheduleMovesEarlierAndLaterAcrossRevolutions() {
        long t0 = 1_000 * SECOND;
        try (var t = new SessionTable(8, 4)) {
            int m = t.addMapping(6, 1, 1, 2, 2, 0, 0);
            int s = t.addSession(m, 3, 3, t0);
            assertThat(t.pollDue(t0)).isEqualTo(-1);
            t.schedule(s, t0 + 10 * SECOND);
            t.schedule(s, t0 + SECOND);
            assertThat(t.scheduled()).isEqualTo(1);
            assertThat(t.due(s)).isEqualTo(t0 + SECOND);
            assertThat(t.pollDue(t0 + SECOND - 1)).isEqualTo(-1);
            assertThat(t.pollDue(t0 + SECOND)).isEqualTo(s);
            assertThat(t.pollDue(t0 + 20 * SECOND)).isEqualTo(-1);

            // later than one revolution (about 68.7 s): passes its slot once without coming out
            t.schedule(s, t0 + 100 * SECOND);
            for (long now = t0 + 20 * SECOND; now < t0 + 100 * SECOND; now += TICK) {
                assertThat(t.pollDue(now)).isEqualTo(-1);
            }
            assertThat(t.pollDue(t0 + 100 * SECOND + TICK)).isEqualTo(s);
        }
    }

    @Test
    void scheduleInThePastComesOutAtTheNextPoll() {
        long t0 = 50 * SECOND;
        try (var t = new SessionTable(8, 4)) {
            int m = t.addMapping(6, 1, 1, 2, 2, 0, 0);
            int a = t.addSession(m, 3, 3, t0);
            int b = t.addSession(m, 3, 4, t0);
            t.schedule(a, t0 + 30 * SECOND);
            assertThat(t.pollDue(t0)).isEqualTo(-1);
            t.schedule(b, t0 - 5 * SECOND);
            assertThat(t.pollDue(t0)).isEqualTo(b);
            // due later within the current tick: not yet, then at its time
            t.schedule(b, t0 + 1);
            assertThat(t.pollDue(t0)).isEqualTo(-1);
            assertThat(t.pollDue(t0 + 1)).isEqualTo(b);
            assertThat(t.pollDue(t0 + 29 * SECOND)).isEqualTo(-1);
        }
    }

    @Test
    void removeUnlinksFromTheWheelEvenUnderTheCursor() {
        long t0 = 7 * SECOND;
        try (var t = new SessionTable(4000, 4)) {
            int m = t.addMapping(6, 1, 1, 2, 2, 0, 0);
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                int s = t.addSession(m, i, 1, t0);
                t.schedule(s, t0 + SECOND); // all in one slot, more than one poll budget
                all.add(s);
            }
            long now = t0 + 2 * SECOND;
            Set<Integer> returned = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                int s = t.pollDue(now);
                if (s >= 0) {
                    returned.add(s);
                }
            }
            Set<Integer> removed = new HashSet<>();
            for (int s : all) {
                if (!returned.contains(s) && s % 3 == 0) {
                    t.removeSession(s);
                    removed.add(s);
                }
            }
            assertThat(t.scheduled()).isEqualTo(4000 - returned.size() - removed.size());
            Map<Integer, Long> due = new HashMap<>();
            all.forEach(s -> due.put(s, t0 + SECOND));
            drain(t, now, due, returned);
            assertThat(returned).hasSize(4000 - removed.size()).doesNotContainAnyElementsOf(removed);
            assertThat(t.scheduled()).isZero();
        }
    }

    // ------------------------------------------------------------ hosts

    @Test
    void hostCountsPerProtocolAndDeletionAtZero() {
        try (var t = new SessionTable(4, 4)) {
            assertThat(t.hostAdd(0x0a000001, 6, 3)).isTrue();
            assertThat(t.hostAdd(0x0a000001, 17, 2)).isTrue();
            assertThat(t.hostAdd(0x0a000001, 1, 1)).isTrue();
            assertThat(t.hostPorts(0x0a000001, 6)).isEqualTo(3);
            assertThat(t.hostPorts(0x0a000001, 17)).isEqualTo(2);
            assertThat(t.hostPorts(0x0a000001, 1)).isEqualTo(1);
            assertThat(t.hostPorts(0x0a000001, 47)).isZero();
            assertThat(t.hostPorts(0x0a000002, 6)).isZero();
            assertThat(t.hostCount()).isEqualTo(1);
            t.hostAdd(0x0a000001, 6, -3);
            t.hostAdd(0x0a000001, 17, -2);
            assertThat(t.hostCount()).isEqualTo(1);
            t.hostAdd(0x0a000001, 1, -1);
            assertThat(t.hostCount()).isZero();
            assertThatThrownBy(() -> t.hostAdd(0x0a000001, 6, -1)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> t.hostAdd(0x0a000001, 47, 1)).isInstanceOf(IllegalArgumentException.class);
            // address 0 is an ordinary key: emptiness is "all counts 0", not a reserved key
            assertThat(t.hostAdd(0, 6, 1)).isTrue();
            assertThat(t.hostPorts(0, 6)).isEqualTo(1);
        }
    }

    @Test
    void hostSessionsKeepTheRecordAndGoBackToZero() {
        try (var t = new SessionTable(4, 4)) {
            assertThatThrownBy(() -> t.hostAddSessions(0x0a000001, 1)).isInstanceOf(IllegalStateException.class);
            t.hostAdd(0x0a000001, 17, 1);
            t.hostAddSessions(0x0a000001, 3);
            assertThat(t.hostSessions(0x0a000001)).isEqualTo(3);
            assertThat(t.hostSessions(0x0a000002)).isZero();
            // the port goes first: the sessions still hold the record
            t.hostAdd(0x0a000001, 17, -1);
            assertThat(t.hostCount()).isEqualTo(1);
            t.hostAddSessions(0x0a000001, -3);
            assertThat(t.hostCount()).isZero();
            assertThat(t.hostSessions(0x0a000001)).isZero();
            assertThatThrownBy(() -> t.hostAddSessions(0x0a000001, -1)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void theMappingBucketLetsABurstThroughThenTheRate() {
        long ms = 1_000_000L;
        long now = -5_000 * ms; // System.nanoTime() may be negative
        try (var t = new SessionTable(4, 4)) {
            int host = 0x0a000001;
            assertThat(t.hostMayMap(host, ms, 3, now)).as("a host with no record has a full bucket").isTrue();
            t.hostAdd(host, 6, 1);
            int made = 0;
            while (t.hostMayMap(host, ms, 3, now)) {
                t.hostMapped(host, ms, now);
                made++;
            }
            assertThat(made).isEqualTo(3);
            assertThat(t.hostMayMap(host, ms, 3, now + ms - 1)).isFalse();
            assertThat(t.hostMayMap(host, ms, 3, now + ms)).isTrue();
            t.hostMapped(host, ms, now + ms);
            // idle for long: the bucket fills to its depth and no further
            long later = now + 1_000 * ms;
            made = 0;
            while (t.hostMayMap(host, ms, 3, later)) {
                t.hostMapped(host, ms, later);
                made++;
            }
            assertThat(made).isEqualTo(3);
            // a record deleted and made again starts full, as a new host does
            t.hostAdd(host, 6, -1);
            t.hostAdd(host, 6, 1);
            assertThat(t.hostMayMap(host, ms, 3, later)).isTrue();
        }
    }

    @Test
    void fullHostTableRefusesOnlyNewHosts() {
        try (var t = new SessionTable(4, 3)) {
            for (int h = 1; h <= 3; h++) {
                assertThat(t.hostAdd(h, 6, 1)).isTrue();
            }
            assertThat(t.hostAdd(4, 6, 1)).isFalse();
            assertThat(t.hostPorts(4, 6)).isZero();
            assertThat(t.hostAdd(2, 17, 5)).isTrue();
            t.hostAdd(1, 6, -1);
            assertThat(t.hostAdd(4, 6, 1)).isTrue();
            assertThat(t.hostCount()).isEqualTo(3);
        }
    }

    @Test
    void backwardShiftKeepsCollidingHostsReachable() {
        try (var t = new SessionTable(4, 12)) { // 16 slots
            // craft runs: several keys homed at 14 and 15 (wrapping past slot 0) and at 0 and 2
            List<Integer> keys = new ArrayList<>();
            int[] wanted = {14, 14, 14, 15, 15, 0, 0, 2, 2, 2, 1, 14};
            for (int w : wanted) {
                for (int a = 1;; a++) {
                    if (t.hostHome(a) == w && !keys.contains(a)) {
                        keys.add(a);
                        break;
                    }
                }
            }
            var rnd = new Random(7);
            for (int round = 0; round < 300; round++) {
                Map<Integer, Integer> model = new HashMap<>();
                List<Integer> order = new ArrayList<>(keys);
                java.util.Collections.shuffle(order, rnd);
                for (int k : order) {
                    int v = 1 + rnd.nextInt(5);
                    assertThat(t.hostAdd(k, 17, v)).isTrue();
                    model.put(k, v);
                }
                java.util.Collections.shuffle(order, rnd);
                for (int k : order) {
                    t.hostAdd(k, 17, -model.remove(k));
                    assertThat(t.hostCount()).isEqualTo(model.size());
                    for (var e : model.entrySet()) {
                        assertThat(t.hostPorts(e.getKey(), 17)).as("key %d", e.getKey()).isEqualTo(e.getValue());
                    }
                    assertThat(t.hostPorts(k, 17)).isZero();
                }
            }
        }
    }

    // ------------------------------------------------------------ allocation

    @Test
    void mixedOperationsAllocateNothingAfterWarmUp() {
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean.isThreadAllocatedMemorySupported());
        bean.setThreadAllocatedMemoryEnabled(true);
        try (var t = new SessionTable(4096, 1024)) {
            var w = new Workload(t);
            for (int i = 0; i < 20; i++) {
                w.run(100_000);
            }
            long base0 = bean.getCurrentThreadAllocatedBytes();
            long base1 = bean.getCurrentThreadAllocatedBytes();
            long before = bean.getCurrentThreadAllocatedBytes();
            long sink = w.run(100_000);
            long after = bean.getCurrentThreadAllocatedBytes();
            System.out.println("allocated over 100k mixed operations: " + (after - before - (base1 - base0))
                    + " B (sink " + sink + ")");
            assertThat(after - before - (base1 - base0)).isZero();
        }
    }

    /** Add, find, touch, schedule, poll and remove over a rotating set of flows; only primitives. */
    private static final class Workload {
        private final SessionTable t;
        private final int[] session = new int[2048];
        private long now = 1_000 * SECOND;
        private int step;

        Workload(SessionTable t) {
            this.t = t;
            java.util.Arrays.fill(session, -1);
        }

        long run(int ops) {
            long sink = 0;
            for (int i = 0; i < ops; i++) {
                int k = (step++ * 7919) & 2047;
                int inAddr = 0x0a000000 | k >>> 4, inPort = 1024 + k, outPort = 2048 + k, rem = 0x08080800 | k & 15;
                int proto = (k & 1) == 0 ? 6 : 17;
                int s = session[k];
                if (s < 0) {
                    int m = t.addMapping(proto, inAddr, inPort, 0x64400001, outPort, 1, 0);
                    s = t.addSession(m, rem, 443, now);
                    t.schedule(s, now + (k & 63) * TICK);
                    t.hostAdd(inAddr, proto, 1);
                    session[k] = s;
                } else if ((step & 3) != 0) {
                    sink += t.findIn(proto, inAddr, inPort, rem, 443);
                    sink += t.findOut(proto, 0x64400001, outPort, rem, 443);
                    sink += t.findMappingIn(proto, inAddr, inPort) + t.findMappingOut(proto, 0x64400001, outPort);
                    sink += t.hostPorts(inAddr, proto) + t.nextLive(s);
                    t.touch(s, now);
                    t.schedule(s, now + (k & 31) * TICK);
                } else {
                    int m = t.mapping(s);
                    t.removeSession(s);
                    t.removeMapping(m);
                    t.hostAdd(inAddr, proto, -1);
                    session[k] = -1;
                }
                now += TICK / 8;
                int due = t.pollDue(now);
                if (due >= 0) {
                    t.schedule(due, now + 10 * TICK);
                }
            }
            return sink + t.size();
        }
    }
}
