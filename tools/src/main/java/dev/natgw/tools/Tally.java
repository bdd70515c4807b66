package dev.natgw.tools;

import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failures counted by reason ("connect: ConnectException: Connection refused"). At most {@link #REASONS} distinct
 * reasons are kept; any further ones are counted under "other", so a peer that fails in ever new ways cannot grow it.
 */
final class Tally {

    static final int REASONS = 16;

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    void add(String phase, Throwable failure) {
        add(phase + ": " + reason(failure));
    }

    void add(String reason) {
        total.increment();
        LongAdder count = counts.get(reason);
        if (count == null) {
            synchronized (counts) {
                count = counts.size() < REASONS
                        ? counts.computeIfAbsent(reason, r -> new LongAdder())
                        : counts.computeIfAbsent("other", r -> new LongAdder());
            }
        }
        count.increment();
    }

    long total() {
        return total.sum();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    private static String reason(Throwable failure) {
        if (failure instanceof SocketTimeoutException) {
            return "timeout";
        }
        if (failure instanceof EOFException) {
            return "closed by peer";
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
