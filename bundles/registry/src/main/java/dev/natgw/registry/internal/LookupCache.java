package dev.natgw.registry.internal;

import dev.natgw.api.registry.RegistryEntry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last lookup result of recently looked-up keys, least recently used first out, so a distributed backend can keep
 * answering while its store is unreachable. An answer from here holds only entries not yet expired, and only while
 * the result is younger than the cache's age limit: a withdrawn entry can be answered for at most that long.
 *
 * <p>
 * Bounded three ways: {@code maxKeys} keys, {@link #VALUES_PER_KEY} entries per key, and {@link #MAX_CHARS} characters
 * of values in all. Every method is safe from any thread (one lock, held only for map operations).
 */
final class LookupCache {

    /** The most entries kept per key. */
    static final int VALUES_PER_KEY = 16;
    /** The most characters of values kept in all (values are up to 4,096 characters each). */
    static final long MAX_CHARS = 16L << 20;

    private record Cached(List<RegistryEntry> entries, long refreshedMillis, long chars) {
    }

    private final int maxKeys;
    private final long maxAgeMillis;
    private final Map<String, Cached> byKey = new LinkedHashMap<>(16, 0.75f, true);
    private long chars;

    LookupCache(int maxKeys, long maxAgeMillis) {
        this.maxKeys = maxKeys;
        this.maxAgeMillis = maxAgeMillis;
    }

    /** Keeps a fresh lookup result (its first {@link #VALUES_PER_KEY} entries), evicting the least recent. */
    synchronized void put(String key, List<RegistryEntry> entries, long nowMillis) {
        List<RegistryEntry> kept = entries.size() > VALUES_PER_KEY ? entries.subList(0, VALUES_PER_KEY) : entries;
        long size = key.length();
        for (RegistryEntry e : kept) {
            size += e.value().length() + e.owner().length();
        }
        Cached old = byKey.put(key, new Cached(List.copyOf(kept), nowMillis, size));
        chars += size - (old == null ? 0 : old.chars());
        Iterator<Cached> eldest = byKey.values().iterator();
        while ((byKey.size() > maxKeys || chars > MAX_CHARS) && eldest.hasNext()) {
            chars -= eldest.next().chars();
            eldest.remove();
        }
    }

    /**
     * @return the cached entries of key not expired at nowMillis, at most max, or null if key is not cached or its
     *         result is older than the age limit
     */
    synchronized List<RegistryEntry> get(String key, int max, long nowMillis) {
        Cached c = byKey.get(key);
        if (c == null) {
            return null;
        }
        if (nowMillis - c.refreshedMillis() > maxAgeMillis) {
            chars -= c.chars();
            byKey.remove(key);
            return null;
        }
        List<RegistryEntry> live = new ArrayList<>();
        for (RegistryEntry e : c.entries()) {
            if (live.size() >= max) {
                break;
            }
            if (e.expires().toEpochMilli() > nowMillis) {
                live.add(e);
            }
        }
        return List.copyOf(live);
    }

    /** Drops key, whose entries this instance just changed. */
    synchronized void forget(String key) {
        Cached c = byKey.remove(key);
        if (c != null) {
            chars -= c.chars();
        }
    }

    /** {@return how many keys are cached} */
    synchronized int size() {
        return byKey.size();
    }
}
