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
 */
public record SessionInfo(Protocol protocol, Endpoint inside, Endpoint outside, Endpoint remote, TcpState state,
        long idleMillis, int worker, String pool) {
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
    }
}
