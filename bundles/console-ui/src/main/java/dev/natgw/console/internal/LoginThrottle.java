package dev.natgw.console.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows password guessing: after {@code maxFailures} failed logins from one source address, or for one user name,
 * within {@code lockout}, further attempts from that address or for that name are refused without asking the realm
 * until {@code lockout} has passed. A success clears the user name's count (not the address's, so one good account
 * does not reset a guesser's budget against others).
 *
 * <p>
 * Memory is bounded: at most {@code maxTracked} addresses and names are remembered, the least recently used
 * forgotten first. No thread of its own: entries age by their time stamps. Thread-safe.
 */
public final class LoginThrottle {

    /** One address or name: failures in the current window, and when a lock ends. */
    private static final class Tally {
        int failures;
        long windowStart;
        long lockedUntil;
    }

    private final int maxFailures;
    private final long lockoutNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Tally> entries;

    /**
     * @param maxFailures failed logins that lock an address or name, at least 1
     * @param lockout how long a lock lasts, and the window the failures are counted in
     * @param maxTracked the most addresses and names remembered, at least 1
     * @param nanoTime the clock, {@link System#nanoTime} but in tests
     */
    public LoginThrottle(int maxFailures, Duration lockout, int maxTracked, LongSupplier nanoTime) {
        if (maxFailures < 1 || maxTracked < 1 || lockout.isNegative() || lockout.isZero()) {
            throw new IllegalArgumentException("maxFailures and maxTracked must be at least 1 and lockout positive,"
                    + " were " + maxFailures + ", " + maxTracked + ", " + lockout);
        }
        this.maxFailures = maxFailures;
        this.lockoutNanos = lockout.toNanos();
        this.nanoTime = nanoTime;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Tally> eldest) {
                return size() > maxTracked;
            }
        };
    }

    /**
     * Says whether an attempt may go to the realm.
     *
     * @param source the client's address
     * @param user the user name as typed
     * @return zero if it may, else how long until it may
     */
    public synchronized Duration check(String source, String user) {
        long now = nanoTime.getAsLong();
        long wait = Math.max(remaining(addressKey(source), now), remaining(userKey(user), now));
        return Duration.ofNanos(wait);
    }

    /**
     * Counts a failed login against the address and the user name.
     *
     * @param source the client's address
     * @param user the user name as typed
     */
    public synchronized void failed(String source, String user) {
        long now = nanoTime.getAsLong();
        fail(addressKey(source), now);
        fail(userKey(user), now);
    }

    /**
     * Clears the user name's failures after a good login.
     *
     * @param user the user name
     */
    public synchronized void succeeded(String user) {
        entries.remove(userKey(user));
    }

    /** {@return the addresses and names remembered now} */
    public synchronized int tracked() {
        return entries.size();
    }

    private long remaining(String key, long now) {
        Tally e = entries.get(key);
        return e == null ? 0 : Math.max(0, e.lockedUntil - now);
    }

    private void fail(String key, long now) {
        Tally e = entries.computeIfAbsent(key, k -> new Tally());
        if (e.failures == 0 || now - e.windowStart > lockoutNanos) {
            e.failures = 0;
            e.windowStart = now;
        }
        if (++e.failures >= maxFailures) {
            e.lockedUntil = now + lockoutNanos;
            e.failures = 0;
        }
    }

    private static String addressKey(String source) {
        return "a " + (source == null ? "" : source);
    }

    private static String userKey(String user) {
        // bounded like the realm's own check, so a huge name cannot bloat the map
        String u = user == null ? "" : user.strip().toLowerCase(java.util.Locale.ROOT);
        return "u " + (u.length() > 256 ? u.substring(0, 256) : u);
    }
}
