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
 * @param fingerprint the SHA-256 of its TLS certificate ({@code "sha256:"} and lowercase hex), which servers and
 *     clients can pin and which names the forwarder in a server's registration proof; null without TLS
 */
public record ForwarderInfo(ForwarderState state, InetSocketAddress listen, boolean tls, String announcedAs,
        Instant since, String fingerprint) {
    /** Validates. */
    public ForwarderInfo {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(since, "since");
    }

    /** The state of a forwarder without a certificate fingerprint, as before it had one. */
    public ForwarderInfo(ForwarderState state, InetSocketAddress listen, boolean tls, String announcedAs,
            Instant since) {
        this(state, listen, tls, announcedAs, since, null);
    }
}
