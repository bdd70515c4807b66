package dev.natgw.api.nat;

/**
 * Where a session's TCP connection is, as the translator tracks it from the flags it forwards
 * (after the state machine of RFC 6146 section 3.5.2, adapted to NAT44, and RFC 7857 section 2).
 * The state picks the session's timeout from {@link Timeouts}.
 */
public enum TcpState {
    /** Not TCP: UDP and ICMP sessions have no TCP state. */
    NONE,
    /**
     * The inside host sent a SYN and the outside has not answered yet; times out by
     * {@code tcpTransitory}.
     */
    INIT_IN,
    /** An unsolicited outside SYN is held for a simultaneous open; times out by {@code tcpSynHold}. */
    INIT_OUT,
    /** Both sides sent a SYN; times out by {@code tcpEstablished}. */
    ESTABLISHED,
    /** The inside host sent a FIN, the outside may still send; times out by {@code tcpEstablished}. */
    FIN_IN,
    /** The outside sent a FIN, the inside host may still send; times out by {@code tcpEstablished}. */
    FIN_OUT,
    /** Both sides sent a FIN; times out by {@code tcpTransitory}. */
    FIN_BOTH,
    /**
     * Reset by either side; kept, so late segments still translate, until {@code tcpTransitory} (RFC
     * 7857 section 2).
     */
    TRANSITORY;
}
