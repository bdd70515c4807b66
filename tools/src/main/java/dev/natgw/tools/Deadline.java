package dev.natgw.tools;

import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/** A point in time (System.nanoTime) that a phase of a load must finish by. */
record Deadline(long nanos) {

    static Deadline in(long amount, TimeUnit unit) {
        return new Deadline(System.nanoTime() + unit.toNanos(amount));
    }

    long remainingNanos() {
        return nanos - System.nanoTime();
    }

    /** Milliseconds left, at least 1 (0 would mean "no timeout" to a socket); throws once the deadline has passed. */
    int remainingMillis() throws SocketTimeoutException {
        long left = remainingNanos();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
    }
}
