package dev.natgw.api.nat;

import java.time.Duration;
import java.util.Objects;

/**
 * Idle timeouts of sessions: a session is removed once no packet has refreshed it for this long.
 * Values below the RFC minimums are accepted, for tests, but make the translator non-conformant.
 *
 * @param udp UDP sessions (RFC 4787 REQ-5: at least 2 minutes, 5 or more recommended)
 * @param tcpEstablished established TCP sessions, and half-closed ones (RFC 5382 REQ-5: at least 2
 *     hours 4 minutes)
 * @param tcpTransitory TCP sessions that are opening or closing, or were reset (RFC 5382 REQ-5 and
 *     RFC 7857 section 2: at least 4 minutes)
 * @param icmp ICMP query sessions (RFC 5508: at least 60 seconds)
 * @param tcpSynHold how long an unsolicited outside SYN is held, waiting for the inside host's own
 *     SYN (simultaneous open), before it is refused (RFC 5382 REQ-4: at least 6 seconds)
 */
public record Timeouts(Duration udp, Duration tcpEstablished, Duration tcpTransitory, Duration icmp,
        Duration tcpSynHold) {
    /**
     * The RFC values: UDP 300 s, TCP established 7440 s, TCP transitory 240 s, ICMP 60 s, SYN hold 6 s.
     */
    public static final Timeouts RFC_DEFAULTS = new Timeouts(Duration.ofSeconds(300), Duration.ofSeconds(7440),
            Duration.ofSeconds(240), Duration.ofSeconds(60), Duration.ofSeconds(6));

    /** Validates. */
    public Timeouts {
        positive("udp", udp);
        positive("tcpEstablished", tcpEstablished);
        positive("tcpTransitory", tcpTransitory);
        positive("icmp", icmp);
        positive("tcpSynHold", tcpSynHold);
    }

    private static void positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (!value.isPositive()) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
    }
}
