package dev.natgw.console.model;

import dev.natgw.api.nat.NatCounters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The NAT's figures over time, kept once per appliance by the console's clock whatever views are open: live sessions,
 * new sessions/s, packets/s each way, drops/s and the drops per reason. Two bounded rings: {@link Range#FIVE_MINUTES}
 * at the clock's period (about 1 s) and {@link Range#HOUR} at 10 s, each holding a fixed number of points, so the
 * memory does not grow with uptime or with the number of browser tabs.
 *
 * <p>A counter that goes backwards (the translator restarted) starts a new baseline; a missing sample (translator
 * absent) records a gap. Thread-safe.
 */
public final class RateHistory {

    /** The spans the charts show, each its own ring. */
    public enum Range {
        /** 300 points about 1 s apart. */
        FIVE_MINUTES("5 min", 300, 0),
        /** 360 points 10 s apart. */
        HOUR("1 h", 360, 10_000_000_000L);

        private final String label;
        private final int points;
        private final long stepNanos;

        Range(String label, int points, long stepNanos) {
            this.label = label;
            this.points = points;
            this.stepNanos = stepNanos;
        }

        /** {@return as the range picker shows it} */
        public String label() {
            return label;
        }

        /** {@return the most points its ring keeps} */
        public int points() {
            return points;
        }

        /** {@return the span it shows, in milliseconds} */
        public long spanMillis() {
            return this == FIVE_MINUTES ? 300_000L : 3_600_000L;
        }
    }

    /**
     * One point: the figures over the interval that ends at {@code epochMillis}.
     *
     * @param epochMillis when the interval ended
     * @param seconds how long the interval was; 0 for a gap
     * @param sessions live sessions at its end, or NaN for a gap
     * @param newSessionsPerSecond sessions created per second, or NaN
     * @param packetsInPerSecond packets translated inside to outside per second, or NaN
     * @param packetsOutPerSecond packets translated outside to inside per second, or NaN
     * @param dropsPerSecond packets dropped (all reasons) per second, or NaN
     * @param drops packets dropped in the interval by reason, only the non-zero ones
     */
    public record Point(long epochMillis, double seconds, double sessions, double newSessionsPerSecond,
            double packetsInPerSecond, double packetsOutPerSecond, double dropsPerSecond, Map<String, Long> drops) {
        /** {@return whether this is a gap (the translator was absent)} */
        public boolean gap() {
            return seconds == 0;
        }

        /** {@return packets per second both ways} */
        public double packetsPerSecond() {
            return packetsInPerSecond + packetsOutPerSecond;
        }

        static Point gap(long epochMillis) {
            return new Point(epochMillis, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Map.of());
        }
    }

    /**
     * The drops by reason over a range.
     *
     * @param byReason packets dropped per reason in the range, non-zero, most first, ties by name
     * @param seconds how many seconds of samples the range holds: less than the range while the console is young
     */
    public record Drops(Map<String, Long> byReason, double seconds) {
    }

    private final Ring fine;
    private final Ring coarse;

    /** A history with the ranges' own sizes. */
    public RateHistory() {
        this(Range.FIVE_MINUTES.points(), Range.HOUR.points());
    }

    /**
     * @param finePoints the most points of the 5 min ring, at least 2
     * @param coarsePoints the most points of the 1 h ring, at least 2
     */
    public RateHistory(int finePoints, int coarsePoints) {
        fine = new Ring(finePoints, Range.FIVE_MINUTES.stepNanos);
        coarse = new Ring(coarsePoints, Range.HOUR.stepNanos);
    }

    /**
     * @param range a range
     * @return the most points kept for it
     */
    public int capacity(Range range) {
        return ring(range).capacity;
    }

    /**
     * Records a sample.
     *
     * @param counters the counters now, or null while the translator is absent
     * @param sessions the live sessions now
     * @param nanos a monotonic time, nanoseconds
     * @param epochMillis the wall time
     */
    public synchronized void record(NatCounters counters, long sessions, long nanos, long epochMillis) {
        fine.record(counters, sessions, nanos, epochMillis);
        coarse.record(counters, sessions, nanos, epochMillis);
    }

    /**
     * @param range a range
     * @return its points, oldest first
     */
    public synchronized List<Point> points(Range range) {
        return ring(range).points();
    }

    /**
     * Sums the drops per reason over a range's points.
     *
     * @param range the range
     * @return the drops, and how much time they cover
     */
    public synchronized Drops drops(Range range) {
        Map<String, Long> sum = new HashMap<>();
        double seconds = 0;
        for (Point p : ring(range).points()) {
            seconds += p.seconds();
            p.drops().forEach((reason, n) -> sum.merge(reason, n, Long::sum));
        }
        Map<String, Long> sorted = new LinkedHashMap<>();
        sum.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return new Drops(sorted, seconds);
    }

    private Ring ring(Range range) {
        return range == Range.FIVE_MINUTES ? fine : coarse;
    }

    /** One ring with its own baseline: it takes a point once at least its step has passed since the last. */
    private static final class Ring {
        private final int capacity;
        private final long stepNanos;
        private final Point[] points;
        private int next;
        private int size;
        private long lastNanos = Long.MIN_VALUE;
        private long lastCreated;
        private long lastIn;
        private long lastOut;
        private Map<String, Long> lastDrops = Map.of();

        Ring(int capacity, long stepNanos) {
            if (capacity < 2) {
                throw new IllegalArgumentException("capacity must be at least 2, was " + capacity);
            }
            this.capacity = capacity;
            this.stepNanos = stepNanos;
            this.points = new Point[capacity];
        }

        void record(NatCounters c, long sessions, long nanos, long epochMillis) {
            if (c == null) {
                if (lastNanos != Long.MIN_VALUE) {
                    add(Point.gap(epochMillis));
                }
                lastNanos = Long.MIN_VALUE;
                return;
            }
            boolean baseline = lastNanos != Long.MIN_VALUE;
            // the clock ticks about on time; 5 % slack so that a 10 s step is not missed by a tick that came early
            if (baseline && nanos - lastNanos < stepNanos - stepNanos / 20) {
                return;
            }
            long created = c.sessionsCreated();
            long in = c.packetsIn2Out();
            long out = c.packetsOut2In();
            Map<String, Long> drops = c.drops();
            Map<String, Long> dropped = baseline && nanos > lastNanos && created >= lastCreated && in >= lastIn
                    && out >= lastOut ? increments(lastDrops, drops) : null;
            if (dropped != null) {
                double seconds = (nanos - lastNanos) / 1e9;
                long droppedSum = dropped.values().stream().mapToLong(Long::longValue).sum();
                add(new Point(epochMillis, seconds, sessions, (created - lastCreated) / seconds,
                        (in - lastIn) / seconds, (out - lastOut) / seconds, droppedSum / seconds, dropped));
            }
            lastNanos = nanos;
            lastCreated = created;
            lastIn = in;
            lastOut = out;
            lastDrops = drops;
        }

        /** The non-zero increments per reason, or null if one went backwards (a restart: a new baseline). */
        private static Map<String, Long> increments(Map<String, Long> before, Map<String, Long> now) {
            Map<String, Long> out = null;
            for (Map.Entry<String, Long> e : now.entrySet()) {
                long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
                if (d < 0) {
                    return null;
                }
                if (d > 0) {
                    if (out == null) {
                        out = new HashMap<>();
                    }
                    out.put(e.getKey(), d);
                }
            }
            return out == null ? Map.of() : Map.copyOf(out);
        }

        private void add(Point p) {
            points[next] = p;
            next = (next + 1) % capacity;
            size = Math.min(size + 1, capacity);
        }

        List<Point> points() {
            List<Point> out = new ArrayList<>(size);
            int start = (next - size + capacity) % capacity;
            for (int i = 0; i < size; i++) {
                out.add(points[(start + i) % capacity]);
            }
            return out;
        }
    }
}
