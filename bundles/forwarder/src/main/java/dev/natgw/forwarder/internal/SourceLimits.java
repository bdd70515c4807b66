package dev.natgw.forwarder.internal;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per source address: how many connections are open and a token bucket of new connections per second (holding one
 * second's worth). The table is bounded: a source with nothing open and a full bucket is forgotten by {@link #sweep},
 * and past {@code maxSources} entries new sources are refused. Every change to a source happens inside the map's
 * atomic compute for its address. Thread-safe.
 */
final class SourceLimits {
    private final int maxPerSource;
    private final int ratePerSecond;
    private final int maxSources;
    private final ConcurrentHashMap<InetAddress, Source> sources = new ConcurrentHashMap<>();

    SourceLimits(int maxPerSource, int ratePerSecond, int maxSources) {
        this.maxPerSource = maxPerSource;
        this.ratePerSecond = ratePerSecond;
        this.maxSources = maxSources;
    }

    enum Verdict {
        OK, TOO_MANY, RATE
    }

    /** Takes a place for a new connection from this source, or says why not. */
    Verdict acquire(InetAddress address, long nowNanos) {
        Verdict[] verdict = {Verdict.OK};
        sources.compute(address, (a, s) -> {
            if (s == null) {
                if (sources.size() >= maxSources) {
                    verdict[0] = Verdict.TOO_MANY;
                    return null;
                }
                s = new Source(ratePerSecond, nowNanos);
            }
            s.refill(ratePerSecond, nowNanos);
            if (s.open >= maxPerSource) {
                verdict[0] = Verdict.TOO_MANY;
            } else if (s.tokens < 1) {
                verdict[0] = Verdict.RATE;
            } else {
                s.tokens -= 1;
                s.open++;
            }
            return s;
        });
        return verdict[0];
    }

    void release(InetAddress address) {
        sources.computeIfPresent(address, (a, s) -> {
            s.open--;
            return s;
        });
    }

    /** Forgets idle sources. */
    void sweep(long nowNanos) {
        for (InetAddress a : sources.keySet()) {
            sources.computeIfPresent(a, (k, s) -> {
                s.refill(ratePerSecond, nowNanos);
                return s.open <= 0 && s.tokens >= ratePerSecond ? null : s;
            });
        }
    }

    int size() {
        return sources.size();
    }

    private static final class Source {
        int open;
        double tokens;
        long last;

        Source(int rate, long now) {
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
