package dev.natgw.api.forwarder;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * The forwarder's state.
 *
 * @param state where it is in its life cycle
 * @param listen the address it listens on, or is configured to
 * @param tls whether it speaks TLS
 * @param announcedAs the value it announces under {@link ForwarderService#ANNOUNCE_KEY}, or null
 *     while not announced
 * @param since when it entered the state
 */
public record ForwarderInfo(ForwarderState state, InetSocketAddress listen, boolean tls, String announcedAs,
        Instant since) {
    /** Validates. */
    public ForwarderInfo {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(since, "since");
    }
}
