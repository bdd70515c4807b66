package dev.natgw.api.nat;

import java.util.Objects;

/**
 * A snapshot of one translation session.
 *
 * @param protocol the protocol
 * @param inside the inside host's endpoint
 * @param outside the global endpoint the inside endpoint is mapped to
 * @param remote the outside peer's endpoint
 * @param state the TCP state; {@link TcpState#NONE} exactly when the protocol is not TCP
 * @param idleMillis milliseconds since a packet last refreshed the session, at least 0
 * @param worker the id of the worker that owns the session, at least 0
 * @param pool the pool the outside endpoint came from, or null for a session of a static mapping
 * @param ageMillis milliseconds since the session was created, at least idleMillis (since 1.2)
 */
public record SessionInfo(Protocol protocol, Endpoint inside, Endpoint outside, Endpoint remote, TcpState state,
        long idleMillis, int worker, String pool, long ageMillis) {
    /** Validates. */
    public SessionInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(inside, "inside");
        Objects.requireNonNull(outside, "outside");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(state, "state");
        if ((protocol == Protocol.TCP) == (state == TcpState.NONE)) {
            throw new IllegalArgumentException("state must be NONE exactly for non-TCP sessions, was " + state
                    + " for " + protocol);
        }
        Checks.nonNegative("idleMillis", idleMillis);
        Checks.nonNegative("worker", worker);
        if (ageMillis < idleMillis) {
            throw new IllegalArgumentException("ageMillis must be >= idleMillis " + idleMillis + ", was " + ageMillis);
        }
    }

    /**
     * The form of version 1.1, without the age: taken as the idle time.
     *
     * @param protocol the protocol
     * @param inside the inside endpoint
     * @param outside the global endpoint
     * @param remote the outside peer's endpoint
     * @param state the TCP state
     * @param idleMillis milliseconds since a packet last refreshed the session
     * @param worker the owning worker
     * @param pool the pool, or null
     */
    public SessionInfo(Protocol protocol, Endpoint inside, Endpoint outside, Endpoint remote, TcpState state,
            long idleMillis, int worker, String pool) {
        this(protocol, inside, outside, remote, state, idleMillis, worker, pool, idleMillis);
    }
}
