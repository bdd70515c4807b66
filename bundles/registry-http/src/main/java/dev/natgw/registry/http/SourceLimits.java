package dev.natgw.registry.http;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-source bounds of the face: a request rate, bodies being received, and keys held, for each source prefix
 * and (times {@link RegistryHttpSettings#wideFactor()}) for each wide prefix. At most
 * {@link RegistryHttpSettings#sourcesMax()} prefixes are tracked; when full, the least recently seen idle ones are
 * forgotten (idle: a full bucket, no body, no key), and a new prefix is refused if none is. Every method is
 * synchronized and short: no I/O, no signature check, at most {@link #EVICT_SCAN} entries looked at.
 */
final class SourceLimits {
    /** Why a request was refused, or {@code OK}. */
    enum Verdict {
        OK, RATE, BODIES, BODIES_ALL, KEYS, FULL
    }

    static final int EVICT_SCAN = 64;

    private static final class State {
        final TokenBucket requests;
        int bodies;
        /** Held keys and when their last announcement from here expires (ms). */
        final Map<String, Long> keys = new HashMap<>();

        State(long rate, long now) {
            requests = new TokenBucket(rate, now);
        }

        boolean idle(long rate, long now) {
            prune(now);
            return bodies == 0 && keys.isEmpty() && requests.full(rate, now);
        }

        void prune(long now) {
            keys.values().removeIf(expires -> expires <= now);
        }
    }

    // access order: the eldest is the least recently seen
    private final LinkedHashMap<String, State> states = new LinkedHashMap<>(256, 0.75f, true);
    private int bodies;

    /**
     * Admits a request: spends one token of the source's and of the wide prefix's rate and, for a request with a
     * body, takes a body slot of each (give it back with {@link #bodyDone}).
     */
    synchronized Verdict admit(SourcePrefix p, boolean body, RegistryHttpSettings s, long now) {
        String srcName = "s " + p.source();
        String wideName = "w " + p.wide();
        State src = state(srcName, s.ratePerSource(), wideName, s, now);
        State wide = src == null ? null : state(wideName, s.wide(s.ratePerSource()), srcName, s, now);
        if (src == null || wide == null) {
            return Verdict.FULL;
        }
        if (!src.requests.available(s.ratePerSource(), now) || !wide.requests.available(s.wide(s.ratePerSource()),
                now)) {
            return Verdict.RATE;
        }
        src.requests.take();
        wide.requests.take();
        if (body) {
            if (src.bodies >= s.bodiesPerSource() || wide.bodies >= s.wide(s.bodiesPerSource())) {
                return Verdict.BODIES;
            }
            if (bodies >= s.bodiesMax()) {
                return Verdict.BODIES_ALL;
            }
            src.bodies++;
            wide.bodies++;
            bodies++;
        }
        return Verdict.OK;
    }

    /** Gives back the body slot {@link #admit} took. */
    synchronized void bodyDone(SourcePrefix p) {
        State src = states.get("s " + p.source());
        State wide = states.get("w " + p.wide());
        // neither is forgotten while it counts a body
        if (src != null) {
            src.bodies--;
        }
        if (wide != null) {
            wide.bodies--;
        }
        bodies--;
    }

    /** {@return whether the source may announce this key: it holds it already, or holds fewer than its cap} */
    synchronized boolean mayHold(SourcePrefix p, String key, RegistryHttpSettings s, long now) {
        return mayHold(states.get("s " + p.source()), key, s.keysPerSource(), now)
                && mayHold(states.get("w " + p.wide()), key, s.wide(s.keysPerSource()), now);
    }

    private static boolean mayHold(State st, String key, long cap, long now) {
        if (st == null) {
            return true;
        }
        st.prune(now);
        return st.keys.containsKey(key) || st.keys.size() < cap;
    }

    /** Counts a key announced from the source until {@code expires} (ms). */
    synchronized void hold(SourcePrefix p, String key, long expires) {
        for (String name : new String[]{"s " + p.source(), "w " + p.wide()}) {
            State st = states.get(name);
            if (st != null) {
                st.keys.merge(key, expires, Math::max);
            }
        }
    }

    /** Stops counting a key whose last value the source withdrew. */
    synchronized void release(SourcePrefix p, String key) {
        for (String name : new String[]{"s " + p.source(), "w " + p.wide()}) {
            State st = states.get(name);
            if (st != null) {
                st.keys.remove(key);
            }
        }
    }

    /** {@return how many prefixes are tracked} */
    synchronized int size() {
        return states.size();
    }

    private State state(String name, long rate, String keep, RegistryHttpSettings s, long now) {
        State st = states.get(name);
        if (st != null) {
            return st;
        }
        if (states.size() >= s.sourcesMax() && !evict(keep, s, now)) {
            return null;
        }
        st = new State(rate, now);
        states.put(name, st);
        return st;
    }

    /** Forgets up to {@link #EVICT_SCAN} of the least recently seen idle prefixes, never {@code keep}. */
    private boolean evict(String keep, RegistryHttpSettings s, long now) {
        Iterator<Map.Entry<String, State>> it = states.entrySet().iterator();
        boolean evicted = false;
        for (int i = 0; i < EVICT_SCAN && it.hasNext(); i++) {
            Map.Entry<String, State> e = it.next();
            long rate = e.getKey().startsWith("w ") ? s.wide(s.ratePerSource()) : s.ratePerSource();
            if (!e.getKey().equals(keep) && e.getValue().idle(rate, now)) {
                it.remove();
                evicted = true;
            }
        }
        return evicted;
    }
}
