package dev.natgw.console.model;

import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import java.util.List;

/**
 * The Sessions view's query. {@link NatService#sessions} copies at most {@code limit} matching sessions from each
 * worker between bursts, so one query costs the same at a thousand sessions or ten million: the grid pages through
 * one bounded snapshot, and the filter narrows it on the workers, not here.
 */
public final class SessionsModel {
    private SessionsModel() {
    }

    /**
     * One query's answer.
     *
     * @param sessions the matching sessions copied, at most the limit
     * @param alive all live sessions, matching or not
     * @param limit the limit asked for
     */
    public record Page(List<SessionInfo> sessions, long alive, int limit) {
        /** {@return whether more sessions may match than were copied} */
        public boolean truncated() {
            return sessions.size() >= limit;
        }
    }

    /**
     * Makes a filter from what the operator typed; blank fields match anything.
     *
     * @param protocol the protocol, or null
     * @param inside the inside host's address, or blank
     * @param remote the remote address, or blank
     * @param pool the pool's name, or blank
     * @return the filter
     * @throws IllegalArgumentException naming the field that is not an address
     */
    public static SessionFilter filter(Protocol protocol, String inside, String remote, String pool) {
        return new SessionFilter(protocol, address("inside address", inside), address("remote address", remote),
                pool == null || pool.isBlank() ? null : pool.strip());
    }

    private static Integer address(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Ipv4.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs a query.
     *
     * @param nat the NAT service, or null while absent
     * @param filter the filter
     * @param limit the most sessions to copy
     * @return the page, or why there is none
     */
    public static Reading<Page> query(NatService nat, SessionFilter filter, int limit) {
        return Reading.of(nat, "The NAT translator (NatService)",
                n -> new Page(n.sessions(filter, limit), n.sessionCount(), limit));
    }
}
