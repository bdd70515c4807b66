package dev.natgw.forwarder.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte rate shared by several relay threads, without a lock: the generic cell rate algorithm, which keeps one
 * number, the time at which the bytes taken so far are paid for at the rate ({@code due}); taking n bytes moves it on
 * by n / rate, and the taker waits for whatever of it lies more than one second (the burst) ahead of now. One
 * compare-and-set per chunk a relay moves, never per packet. Thread-safe.
 */
final class ByteBucket {
    private static final long BURST_NANOS = 1_000_000_000L;

    private final long bytesPerSecond;
    private final AtomicLong due = new AtomicLong(Long.MIN_VALUE);

    /** @param bytesPerSecond the rate, at least 1 */
    ByteBucket(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("rate must be at least 1 byte/s, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * Takes n bytes.
     *
     * @return how many nanoseconds the taker must wait before moving more, 0 for none
     */
    long take(int n, long nowNanos) {
        // an int of bytes times 10^9 fits a long
        long cost = n * 1_000_000_000L / bytesPerSecond;
        while (true) {
            long d = due.get();
            long start = d == Long.MIN_VALUE || d - nowNanos < 0 ? nowNanos : d;
            long next = start + cost;
            if (due.compareAndSet(d, next)) {
                long wait = next - nowNanos - BURST_NANOS;
                return wait > 0 ? wait : 0;
            }
        }
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }
}
