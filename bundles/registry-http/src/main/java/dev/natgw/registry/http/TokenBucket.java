package dev.natgw.registry.http;

/**
 * A rate bound: holds up to {@code rate} tokens, refilled at {@code rate} per second, one token per request. The rate
 * is passed on every call so that a new configuration applies at once without forgetting what was spent. Not
 * thread-safe: its owner's lock guards it.
 */
final class TokenBucket {
    private double tokens;
    private long last;

    TokenBucket(long rate, long now) {
        this.tokens = rate;
        this.last = now;
    }

    private void refill(long rate, long now) {
        if (now > last) {
            tokens = Math.min(rate, tokens + (now - last) * rate / 1000.0);
        }
        last = Math.max(last, now);
        tokens = Math.min(tokens, rate);
    }

    /** {@return whether a token is there now} */
    boolean available(long rate, long now) {
        refill(rate, now);
        return tokens >= 1;
    }

    /** Spends a token, going below zero if none is left (a request admitted before the last token went). */
    void take() {
        tokens -= 1;
    }

    /** {@return whether the bucket is full, so that forgetting it changes nothing} */
    boolean full(long rate, long now) {
        refill(rate, now);
        return tokens >= rate;
    }
}
