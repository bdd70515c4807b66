package dev.natgw.console.model;

import dev.natgw.api.nat.NatCounters;
import java.util.ArrayList;
import java.util.List;

/**
 * New sessions per second and packets per second over the last minutes, from the NAT counters sampled about once a
 * second. One history per console, fed by the console's clock whatever views are open. A counter that goes
 * backwards (the translator restarted) starts a new baseline; a missing sample (translator absent) records a gap.
 * Thread-safe.
 */
public final class RateHistory {

    /**
     * One point.
     *
     * @param epochMillis when
     * @param newSessionsPerSecond sessions created per second since the previous sample, or NaN for a gap
     * @param packetsPerSecond packets translated (both directions) per second, or NaN for a gap
     */
    public record Point(long epochMillis, double newSessionsPerSecond, double packetsPerSecond) {
    }

    private final int capacity;
    private final Point[] ring;
    private int next;
    private int size;
    private long lastNanos = Long.MIN_VALUE;
    private long lastCreated;
    private long lastPackets;

    /** @param capacity the most points kept, at least 2 */
    public RateHistory(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be at least 2, was " + capacity);
        }
        this.capacity = capacity;
        this.ring = new Point[capacity];
    }

    /** {@return the most points kept} */
    public int capacity() {
        return capacity;
    }

    /**
     * Records a sample.
     *
     * @param counters the counters now, or null while the translator is absent
     * @param nanos a monotonic time, nanoseconds
     * @param epochMillis the wall time
     */
    public synchronized void record(NatCounters counters, long nanos, long epochMillis) {
        if (counters == null) {
            if (lastNanos != Long.MIN_VALUE) {
                add(new Point(epochMillis, Double.NaN, Double.NaN));
            }
            lastNanos = Long.MIN_VALUE;
            return;
        }
        long created = counters.sessionsCreated();
        long packets = counters.packetsIn2Out() + counters.packetsOut2In();
        if (lastNanos != Long.MIN_VALUE && nanos > lastNanos && created >= lastCreated && packets >= lastPackets) {
            double seconds = (nanos - lastNanos) / 1e9;
            add(new Point(epochMillis, (created - lastCreated) / seconds, (packets - lastPackets) / seconds));
        }
        lastNanos = nanos;
        lastCreated = created;
        lastPackets = packets;
    }

    private void add(Point p) {
        ring[next] = p;
        next = (next + 1) % capacity;
        size = Math.min(size + 1, capacity);
    }

    /** {@return the points, oldest first} */
    public synchronized List<Point> points() {
        List<Point> out = new ArrayList<>(size);
        int start = (next - size + capacity) % capacity;
        for (int i = 0; i < size; i++) {
            out.add(ring[(start + i) % capacity]);
        }
        return out;
    }
}
