package dev.natgw.forwarder.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The places of {@code max.servers}, with renewals first: when a registered server goes away its place is kept for
 * its key during the renewal window, so that when the forwarder is full a server coming back (after a restart, a
 * network change, a lost connection) still gets in, while a new key is refused. Live servers and kept places together
 * never pass the maximum. Thread-safe: every method is synchronized; used at registration only.
 */
final class ServerSlots {
    private final int max;
    private final long windowNanos;
    /** Kept places: key to the nanoTime it expires at, oldest first. */
    private final LinkedHashMap<String, Long> kept = new LinkedHashMap<>();

    ServerSlots(int max, Duration window) {
        this.max = max;
        this.windowNanos = window.toNanos();
    }

    /**
     * Takes a place for a key that is not registered now.
     *
     * @param live how many servers are registered now
     * @return false: the forwarder is full for this key
     */
    synchronized boolean take(String key, int live, long nowNanos) {
        expire(nowNanos);
        if (kept.remove(key) != null) {
            return true;
        }
        return live + kept.size() < max;
    }

    /** Keeps the place of a key whose server went away, for the renewal window. */
    synchronized void keep(String key, long nowNanos) {
        if (windowNanos > 0) {
            kept.remove(key);
            kept.put(key, nowNanos + windowNanos);
        }
    }

    /** {@return how many places are kept for keys that went away} */
    synchronized int kept(long nowNanos) {
        expire(nowNanos);
        return kept.size();
    }

    private void expire(long now) {
        Iterator<Map.Entry<String, Long>> it = kept.entrySet().iterator();
        while (it.hasNext()) {
            if (now - it.next().getValue() >= 0) {
                it.remove();
            } else {
                break;
            }
        }
    }
}
