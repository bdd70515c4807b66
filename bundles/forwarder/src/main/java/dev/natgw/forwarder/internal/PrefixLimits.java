package dev.natgw.forwarder.internal;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts one kind of thing (connections, servers, relays) by the {@link Prefix}es of its source: at most
 * {@code maxNarrow} per narrow prefix (IPv4 /32, IPv6 /64) and {@code maxWide} per wide one (IPv4 /24, IPv6 /48),
 * and, when a rate is given, a token bucket per prefix of new ones per second (holding one second's worth). A place
 * is taken in both prefixes or in neither. The table is bounded: a prefix with nothing counted and a full bucket is
 * forgotten by {@link #sweep}, and past {@code maxEntries} prefixes new ones are refused. Every change to a prefix
 * happens inside the map's atomic compute for it. Thread-safe; used at accept and registration, never per packet.
 */
final class PrefixLimits {

    /** Why a place was refused, or OK. */
    enum Verdict {
        OK, TOO_MANY, RATE
    }

    private final int maxNarrow;
    private final int maxWide;
    private final int rateNarrow;
    private final int rateWide;
    private final int maxEntries;
    private final ConcurrentHashMap<Prefix, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param rateNarrow new places per second per narrow prefix, 0 for no rate
     * @param rateWide new places per second per wide prefix, 0 for no rate
     */
    PrefixLimits(int maxNarrow, int maxWide, int rateNarrow, int rateWide, int maxEntries) {
        this.maxNarrow = maxNarrow;
        this.maxWide = maxWide;
        this.rateNarrow = rateNarrow;
        this.rateWide = rateWide;
        this.maxEntries = maxEntries;
    }

    /** Takes a place for a new thing from this address, in its narrow and its wide prefix, or says why not. */
    Verdict acquire(InetAddress address, long nowNanos) {
        Prefix narrow = Prefix.narrow(address);
        Verdict v = take(narrow, maxNarrow, rateNarrow, nowNanos);
        if (v != Verdict.OK) {
            return v;
        }
        v = take(Prefix.wide(address), maxWide, rateWide, nowNanos);
        if (v != Verdict.OK) {
            give(narrow, true);
        }
        return v;
    }

    /** Gives back the place of a thing from this address; once per {@link Verdict#OK}. */
    void release(InetAddress address) {
        give(Prefix.narrow(address), false);
        give(Prefix.wide(address), false);
    }

    /** {@return how many are counted now in the narrow prefix of this address} */
    int countNarrow(InetAddress address) {
        Entry e = entries.get(Prefix.narrow(address));
        return e == null ? 0 : e.open;
    }

    /** {@return how many are counted now in the wide prefix of this address} */
    int countWide(InetAddress address) {
        Entry e = entries.get(Prefix.wide(address));
        return e == null ? 0 : e.open;
    }

    private Verdict take(Prefix p, int max, int rate, long now) {
        Verdict[] verdict = {Verdict.OK};
        entries.compute(p, (k, e) -> {
            if (e == null) {
                if (entries.size() >= maxEntries) {
                    verdict[0] = Verdict.TOO_MANY;
                    return null;
                }
                e = new Entry(rate, now);
            }
            e.refill(rate, now);
            if (e.open >= max) {
                verdict[0] = Verdict.TOO_MANY;
            } else if (rate > 0 && e.tokens < 1) {
                verdict[0] = Verdict.RATE;
            } else {
                if (rate > 0) {
                    e.tokens -= 1;
                }
                e.open++;
            }
            return e;
        });
        return verdict[0];
    }

    /** @param refund also give back the token taken: the acquire that took it is undone */
    private void give(Prefix p, boolean refund) {
        entries.computeIfPresent(p, (k, e) -> {
            e.open--;
            if (refund) {
                e.tokens += 1;
            }
            return e;
        });
    }

    /** Forgets prefixes with nothing counted and a full bucket. */
    void sweep(long nowNanos) {
        for (Prefix p : entries.keySet()) {
            int rate = p.bits() == 32 || p.bits() == 64 ? rateNarrow : rateWide;
            entries.computeIfPresent(p, (k, e) -> {
                e.refill(rate, nowNanos);
                return e.open <= 0 && e.tokens >= rate ? null : e;
            });
        }
    }

    /** {@return how many prefixes are tracked} */
    int size() {
        return entries.size();
    }

    private static final class Entry {
        int open;
        double tokens;
        long last;

        Entry(int rate, long now) {
            tokens = rate;
            last = now;
        }

        void refill(int rate, long now) {
            double add = (now - last) / 1e9 * rate;
            if (add > 0) {
                tokens = Math.min(rate, tokens + add);
                last = now;
            }
        }
    }
}
