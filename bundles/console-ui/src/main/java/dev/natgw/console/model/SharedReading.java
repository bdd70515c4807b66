package dev.natgw.console.model;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One reading shared by every open view of a kind: the views refresh on the console's one clock thread, one after
 * the other, so the first read of a tick serves the rest. Ten open Overviews cost one set of service calls a second,
 * not ten. Thread-safe.
 *
 * @param <T> the value read
 */
public final class SharedReading<T> {
    private final long maxAgeNanos;
    private final LongSupplier clock;
    private Reading<T> last;
    private long readAt;

    /**
     * @param maxAgeNanos how long a reading is served again
     * @param clock a monotonic clock, nanoseconds
     */
    public SharedReading(long maxAgeNanos, LongSupplier clock) {
        this.maxAgeNanos = maxAgeNanos;
        this.clock = clock;
    }

    /**
     * Returns the last reading if it is recent enough, else reads anew.
     *
     * @param read the read
     * @return the reading
     */
    public synchronized Reading<T> get(Supplier<Reading<T>> read) {
        long now = clock.getAsLong();
        if (last == null || now - readAt >= maxAgeNanos) {
            last = read.get();
            readAt = now;
        }
        return last;
    }
}
