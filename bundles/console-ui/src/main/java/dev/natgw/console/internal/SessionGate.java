package dev.natgw.console.internal;

import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the console's HTTP sessions and decides whether a new one may open. Invariants: at most {@code maxSessions}
 * sessions at once, at most {@code maxPerSource} from one client address, and at most half of {@code maxSessions}
 * not logged in, so visitors who never log in leave the other half to operators. A session is never pushed out to
 * make room: past a bound the new one is refused. Every session is logged in or not through its {@link Ticket}.
 *
 * <p>
 * Memory is bounded by the sessions themselves: an address is remembered only while it has a session. Thread-safe.
 */
public final class SessionGate {
    private static final Logger LOG = LoggerFactory.getLogger(SessionGate.class);

    /** What became of a request for a new session. */
    public enum Verdict {
        /** A place is reserved. */
        ADMITTED,
        /** The console as a whole has no place for another session not logged in. */
        FULL,
        /** The client's address has its most sessions. */
        SOURCE_FULL
    }

    /**
     * An answer to {@link #admit}: the verdict, and the reserved place when admitted.
     *
     * @param verdict the verdict
     * @param ticket the place, or null
     */
    public record Admission(Verdict verdict, Ticket ticket) {
    }

    /**
     * One session's place: its client address, and its user once logged in. Held by its session as an attribute, it
     * frees the place when the session unbinds it as it ends.
     */
    public final class Ticket implements HttpSessionBindingListener {
        private final String source;
        private volatile HttpSession session;
        private volatile String user;
        private boolean released;

        private Ticket(String source) {
            this.source = source;
        }

        /** {@return the client address the session was opened from} */
        public String source() {
            return source;
        }

        /** {@return the logged-in user's name, or null} */
        public String user() {
            return user;
        }

        /** {@return the session, once opened} */
        HttpSession session() {
            return session;
        }

        void attach(HttpSession s) {
            session = s;
        }

        @Override
        public void valueUnbound(HttpSessionBindingEvent event) {
            release(this);
        }

        /** Ends the session (if it is still open); its place is freed as the session goes. */
        public void end() {
            HttpSession s = session;
            if (s != null) {
                try {
                    s.invalidate();
                } catch (IllegalStateException alreadyEnded) {
                    // ended meanwhile: its place is freed all the same
                }
            }
        }
    }

    private final int maxSessions;
    private final int maxPerSource;
    private final int maxAnonymous;
    private final Map<String, Integer> perSource = new HashMap<>();
    private final Set<Ticket> open = new LinkedHashSet<>();
    private int total;
    private int anonymous;

    /**
     * @param maxSessions the most sessions at once, at least 2
     * @param maxPerSource the most sessions from one address, 1..maxSessions
     */
    public SessionGate(int maxSessions, int maxPerSource) {
        if (maxSessions < 2 || maxPerSource < 1 || maxPerSource > maxSessions) {
            throw new IllegalArgumentException("need 2 <= maxSessions and 1 <= maxPerSource <= maxSessions, were "
                    + maxSessions + ", " + maxPerSource);
        }
        this.maxSessions = maxSessions;
        this.maxPerSource = maxPerSource;
        this.maxAnonymous = maxSessions / 2;
    }

    /**
     * Reserves a place for a new session that is not logged in, if there is one.
     *
     * @param source the client's address
     * @return the verdict, with the place when admitted
     */
    public synchronized Admission admit(String source) {
        // the address first: its own count is what that client can change (by logging out elsewhere)
        if (perSource.getOrDefault(source, 0) >= maxPerSource) {
            return new Admission(Verdict.SOURCE_FULL, null);
        }
        if (total >= maxSessions || anonymous >= maxAnonymous) {
            return new Admission(Verdict.FULL, null);
        }
        return new Admission(Verdict.ADMITTED, take(source));
    }

    /**
     * Counts a session opened without {@link #admit} (by a part of Jetty the gate does not see), so that the counts
     * stay true even then.
     *
     * @param source the client's address, or a placeholder
     * @return its place
     */
    synchronized Ticket force(String source) {
        return take(source);
    }

    private Ticket take(String source) {
        total++;
        anonymous++;
        perSource.merge(source, 1, Integer::sum);
        Ticket t = new Ticket(source);
        open.add(t);
        return t;
    }

    /**
     * Frees a place: its session ended, or it was reserved for a request that opened none. Idempotent.
     *
     * @param t the place
     */
    public synchronized void release(Ticket t) {
        if (t.released) {
            return;
        }
        t.released = true;
        total--;
        open.remove(t);
        if (t.user == null) {
            anonymous--;
        }
        perSource.computeIfPresent(t.source, (k, n) -> n == 1 ? null : n - 1);
    }

    /**
     * Marks a session logged in: it leaves the share of sessions not logged in.
     *
     * @param t its place
     * @param name the user's name
     * @return false if the place was already freed (the session ended meanwhile)
     */
    public synchronized boolean logIn(Ticket t, String name) {
        if (t.released) {
            return false;
        }
        if (t.user == null) {
            anonymous--;
        }
        t.user = name;
        return true;
    }

    /** {@return the sessions open now} */
    public synchronized int sessions() {
        return total;
    }

    /** {@return the sessions open now that have not logged in} */
    public synchronized int anonymous() {
        return anonymous;
    }

    /**
     * @param source a client address
     * @return the sessions open now from it
     */
    public synchronized int from(String source) {
        return perSource.getOrDefault(source, 0);
    }

    /**
     * @param sessionId an HTTP session's id
     * @return the place of the open session with that id, or null
     */
    public synchronized Ticket ticket(String sessionId) {
        for (Ticket t : open) {
            HttpSession s = t.session;
            if (s != null && s.getId().equals(sessionId)) {
                return t;
            }
        }
        return null;
    }

    /** {@return the client addresses with a session now} */
    public synchronized int sources() {
        return perSource.size();
    }

    /**
     * Ends every logged-in session whose user the realm no longer knows or who holds none of the allowed roles. One
     * look-up per user; a user the realm cannot tell about keeps their sessions.
     *
     * @param roles the realm's answer for a user name: their roles (empty if unknown), or empty if it cannot tell
     * @param allowed roles of which a user needs one
     * @return the sessions ended
     */
    public int recheck(RoleLookup roles, List<String> allowed) {
        List<Ticket> loggedIn = new ArrayList<>();
        synchronized (this) {
            for (Ticket t : open) {
                if (t.user != null) {
                    loggedIn.add(t);
                }
            }
        }
        Map<String, Boolean> keep = new HashMap<>();
        int ended = 0;
        for (Ticket t : loggedIn) {
            boolean ok = keep.computeIfAbsent(t.user, name -> {
                Optional<Set<String>> held = roles.roles(name);
                return held.isEmpty() || held.get().stream().anyMatch(allowed::contains);
            });
            if (!ok) {
                LOG.info("natgw console: ending a session of {} from {}: the realm no longer knows the user or the"
                        + " user holds none of {}", t.user, t.source, allowed);
                t.end();
                ended++;
            }
        }
        return ended;
    }
}
