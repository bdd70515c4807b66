package dev.natgw.api.nat;

/**
 * Selects sessions; each non-null field must match, a null field matches anything.
 *
 * @param protocol the protocol, or null for any
 * @param insideAddress the inside host's address, or null for any
 * @param remoteAddress the outside peer's address, or null for any
 * @param pool the pool's name, or null for any (including static mappings)
 */
public record SessionFilter(Protocol protocol, Integer insideAddress, Integer remoteAddress, String pool) {
    /** Matches every session. */
    public static final SessionFilter ALL = new SessionFilter(null, null, null, null);

    /**
     * Tells whether a session passes this filter.
     *
     * @param session the session
     * @return true if every non-null field matches it
     */
    public boolean matches(SessionInfo session) {
        return (protocol == null || protocol == session.protocol())
                && (insideAddress == null || insideAddress == session.inside().address())
                && (remoteAddress == null || remoteAddress == session.remote().address())
                && (pool == null || pool.equals(session.pool()));
    }
}
