package dev.natgw.nat.fastpath;

import dev.natgw.nat.handover.SessionLayout;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * The wheel against a map of due times: after polling a time until the wheel has nothing more, exactly
 * the sessions due by then have come out, none early, each once; across schedules, reschedules,
 * removals and time jumps of up to several revolutions, starting anywhere (nanoTime may be negative).
 */
class SessionTableWheelPropertyTest {
    private static final long TICK = 1L << SessionLayout.TICK_SHIFT;
    private static final long REVOLUTION = TICK * SessionLayout.WHEEL_SLOTS;
    private static final int N = 40;

    /** op 0: schedule (re)places a session; 1: remove and re-add it; 2: advance time and poll out. */
    @Property(tries = 300)
    void returnsExactlyWhatIsDue(@ForAll("starts") long t0,
            @ForAll("ops") @Size(max = 200) List<Tuple.Tuple3<Integer, Integer, Long>> ops) {
        try (var t = new SessionTable(N, 4)) {
            int m = t.addMapping(6, 1, 1, 2, 2, 0, 0);
            int[] sid = new int[N];
            for (int i = 0; i < N; i++) {
                sid[i] = t.addSession(m, 3, i, t0);
            }
            Map<Integer, Long> due = new HashMap<>();
            long now = t0;
            for (var op : ops) {
                int i = op.get2() % N;
                long x = op.get3();
                switch (op.get1()) {
                    case 0 -> {
                        t.schedule(sid[i], now + x);
                        due.put(sid[i], now + x);
                    }
                    case 1 -> {
                        t.removeSession(sid[i]);
                        due.remove(sid[i]);
                        sid[i] = t.addSession(m, 3, i, now);
                    }
                    default -> {
                        now += Math.abs(x);
                        pollOut(t, now, due);
                    }
                }
                assertThat(t.scheduled()).isEqualTo(due.size());
            }
            now += 2 * REVOLUTION + 3 * SessionLayout.WHEEL_SLOTS * TICK;
            pollOut(t, now, due);
            assertThat(due).isEmpty();
        }
    }

    private static void pollOut(SessionTable t, long now, Map<Integer, Long> due) {
        int idle = 0;
        while (idle < 4) {
            int s = t.pollDue(now);
            if (s < 0) {
                idle++;
                continue;
            }
            idle = 0;
            Long d = due.remove(s);
            assertThat(d).as("returned %d not scheduled", s).isNotNull();
            assertThat(d).as("early").isLessThanOrEqualTo(now);
        }
        List<Long> missed = new ArrayList<>();
        due.values().forEach(d -> {
            if (d <= now) {
                missed.add(d);
            }
        });
        assertThat(missed).as("due by %d but not returned", now).isEmpty();
    }

    @Provide
    Arbitrary<Long> starts() {
        return Arbitraries.longs().between(-1L << 62, 1L << 62);
    }

    @Provide
    Arbitrary<List<Tuple.Tuple3<Integer, Integer, Long>>> ops() {
        Arbitrary<Long> delta = Arbitraries.oneOf(Arbitraries.longs().between(-3 * TICK, 3 * TICK),
                Arbitraries.longs().between(-2 * REVOLUTION, 3 * REVOLUTION), Arbitraries.of(0L, TICK - 1, TICK,
                        REVOLUTION - TICK, REVOLUTION, REVOLUTION + 1));
        return Arbitraries.integers().between(0, 2).flatMap(op -> Arbitraries.integers().between(0, N - 1)
                .flatMap(i -> delta.map(d -> Tuple.of(op, i, d)))).list();
    }
}
