package dev.natgw.api.nat;

import java.util.Objects;

/**
 * A fixed mapping of a global endpoint to an inside endpoint ("port forward"), which lets outside
 * hosts open connections to an inside server. TCP and UDP only.
 *
 * @param protocol {@link Protocol#TCP} or {@link Protocol#UDP}
 * @param global the outside endpoint, port 1..65535
 * @param inside the inside endpoint, port 1..65535
 */
public record StaticMapping(Protocol protocol, Endpoint global, Endpoint inside) {
    /** Validates. */
    public StaticMapping {
        Objects.requireNonNull(protocol, "protocol");
        if (protocol == Protocol.ICMP) {
            throw new IllegalArgumentException("protocol must be TCP or UDP, was ICMP");
        }
        Objects.requireNonNull(global, "global");
        Objects.requireNonNull(inside, "inside");
        if (global.port() == 0) {
            throw new IllegalArgumentException("global port must be 1..65535, was 0");
        }
        if (inside.port() == 0) {
            throw new IllegalArgumentException("inside port must be 1..65535, was 0");
        }
    }
}
