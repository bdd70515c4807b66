package dev.natgw.registry.http;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-key state of the face: the key's rate of signed changes and the nonces it used recently, for replay
 * protection. Each key has its own: no key's traffic can fill another's. A key keeps its {@link #NONCES} most recent
 * nonces whose timestamps are still within the skew; a request whose timestamp is older than all of them, when all
 * are kept, is refused as possibly replayed (an honest client signs each request afresh and never meets this). At
 * most {@link RegistryHttpSettings#keysMax()} keys are tracked; when full, the least recently seen idle keys are
 * forgotten (idle: no nonce within the skew, a full bucket), and a key not tracked yet is refused if none is. Every
 * method is synchronized and short: no I/O, no signature check.
 */
final class KeyLimits {
    /** What became of a signed request's nonce. */
    enum Verdict {
        OK, REPLAYED, TOO_OLD, RATE, FULL
    }

    /** Nonces remembered per key. */
    static final int NONCES = 16;

    private static final class State {
        final TokenBucket writes;
        final String[] nonces = new String[NONCES];
        final long[] stamps = new long[NONCES];

        State(long rate, long now) {
            writes = new TokenBucket(rate, now);
        }

        /** {@return how many nonces are left} Forgets those whose timestamps the skew check refuses anyway. */
        int prune(long oldest) {
            int left = 0;
            for (int i = 0; i < NONCES; i++) {
                if (nonces[i] != null && stamps[i] < oldest) {
                    nonces[i] = null;
                }
                if (nonces[i] != null) {
                    left++;
                }
            }
            return left;
        }
    }

    private final LinkedHashMap<String, State> states = new LinkedHashMap<>(256, 0.75f, true);

    /** {@return whether the key may make a signed change now: false if it spent its rate} */
    synchronized boolean mayWrite(String key, RegistryHttpSettings s, long now) {
        State st = states.get(key);
        return st == null || st.writes.available(s.ratePerKey(), now);
    }

    /**
     * Records a verified request: unless it is a replay, spends a token of the key's rate and remembers its nonce.
     *
     * @param timestamp the request's timestamp, already within {@code skewMillis} of {@code now}
     */
    synchronized Verdict record(String key, String nonce, long timestamp, long skewMillis, RegistryHttpSettings s,
            long now) {
        State st = states.get(key);
        if (st == null) {
            if (states.size() >= s.keysMax() && !evict(s, now, skewMillis)) {
                return Verdict.FULL;
            }
            st = new State(s.ratePerKey(), now);
            states.put(key, st);
        }
        st.prune(now - skewMillis);
        int free = -1;
        int oldest = -1;
        for (int i = 0; i < NONCES; i++) {
            if (st.nonces[i] == null) {
                free = i;
            } else if (st.nonces[i].equals(nonce)) {
                return Verdict.REPLAYED;
            } else if (oldest < 0 || st.stamps[i] < st.stamps[oldest]) {
                oldest = i;
            }
        }
        int slot = free;
        if (slot < 0) {
            // all kept: the oldest gives way, unless this request is older still (it could be one given way before)
            if (timestamp <= st.stamps[oldest]) {
                return Verdict.TOO_OLD;
            }
            slot = oldest;
        }
        // only fresh requests spend the key's rate: a replay of someone else's captured request does not
        if (!st.writes.available(s.ratePerKey(), now)) {
            return Verdict.RATE;
        }
        st.writes.take();
        st.nonces[slot] = nonce;
        st.stamps[slot] = timestamp;
        return Verdict.OK;
    }

    /** {@return how many keys are tracked} */
    synchronized int size() {
        return states.size();
    }

    private boolean evict(RegistryHttpSettings s, long now, long skewMillis) {
        Iterator<State> it = states.values().iterator();
        boolean evicted = false;
        for (int i = 0; i < SourceLimits.EVICT_SCAN && it.hasNext(); i++) {
            State st = it.next();
            if (st.prune(now - skewMillis) == 0 && st.writes.full(s.ratePerKey(), now)) {
                it.remove();
                evicted = true;
            }
        }
        return evicted;
    }
}
