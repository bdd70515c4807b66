package dev.natgw.nat.handover;

/**
 * The reasons the translator drops a packet, as {@code int} codes {@code 0..COUNT-1} that index the
 * per-worker drop counters, each with the name the counters are published under.
 *
 * <p>
 * The codes are part of the hand-over format: a worker that adopts a table goes on from the drop counters the
 * previous revision published at {@link CounterIndex#DROPS} + code, so a code keeps its number across builds;
 * renumbering one bumps {@link HandOverFormat#LAYOUT_VERSION} and {@code HandOverFormatTest} pins them. The counters
 * have room for {@link #SLOTS} codes: a new reason takes the next free code below it and keeps the version, as a
 * previous revision left its counter at 0. The fast path's parse results {@code OK} and {@code NOT_IPV4} are
 * negative so they never collide with one. Constants only, thread-safe.
 */
public final class Drops {

    /** The frame ends before its headers do. */
    public static final int TRUNCATED = 0;
    /** IPv4 version or header length wrong, or total length shorter than the header. */
    public static final int BAD_IP_HEADER = 1;
    /** IPv4 header checksum wrong. */
    public static final int BAD_IP_CHECKSUM = 2;
    /** TCP data offset, UDP length or an ICMP error's embedded header wrong. */
    public static final int BAD_L4_HEADER = 3;
    /** TCP, UDP or ICMP checksum wrong (checked when a session is created). */
    public static final int BAD_L4_CHECKSUM = 4;
    /**
     * An IPv4 fragment the translator does not handle: fragment handling is off ({@code fragment.states} 0), or the
     * fragment belongs to an ICMP error, which is never fragmented by a well-behaved sender (RFC 1812 4.3.2.3).
     */
    public static final int FRAGMENT = 5;
    /** TTL would reach 0. */
    public static final int TTL_EXPIRED = 6;
    /** ICMP type the translator does not handle. */
    public static final int ICMP_UNSUPPORTED = 7;
    /** IP protocol other than TCP, UDP and ICMP, refused by policy. */
    public static final int OTHER_PROTOCOL = 8;
    /** Outside packet with no session or mapping. */
    public static final int NO_SESSION = 9;
    /** Outside packet refused by the filtering behaviour. */
    public static final int FILTERED = 10;
    /** Outside TCP SYN to a mapping that does not accept it. */
    public static final int UNSOLICITED_SYN = 11;
    /** TCP packet other than a SYN with no session. */
    public static final int TCP_NO_SESSION = 12;
    /** No free port on any address of the pool. */
    public static final int POOL_EXHAUSTED = 13;
    /** The inside host reached its port quota. */
    public static final int QUOTA = 14;
    /** The worker's session table is full. */
    public static final int SESSION_TABLE_FULL = 15;
    /** A mapping would collide with an existing one. */
    public static final int MAPPING_CONFLICT = 16;
    /** A handed-off packet would be handed off again. */
    public static final int HANDOFF_LOOP = 17;
    /** The session event log had no room and events are mandatory. */
    public static final int EVENT_LOG_FULL = 18;
    /** The stage failed on the packet. */
    public static final int STAGE_ERROR = 19;

    /** An inside packet whose source is one of the NAT's own global addresses. */
    public static final int SPOOFED_SOURCE = 20;
    /** An inside packet whose source lies outside the configured inside prefixes. */
    public static final int SOURCE_NOT_INSIDE = 21;
    /** An inside ICMP error sent by another host than the quoted packet's destination. */
    public static final int ICMP_ERROR_SOURCE = 22;

    /** A refused flow not answered with ICMP because the worker's ICMP budget for the second was spent. */
    public static final int ICMP_RATE_LIMITED = 23;

    /** A new session refused: the inside host holds its pool's sessions per host. */
    public static final int SESSION_LIMIT = 24;
    /** A new mapping refused: the inside host spent its pool's bucket of new mappings. */
    public static final int MAPPING_RATE = 25;
    /** An outside packet refused a new session: its mapping holds the pool's inbound sessions per mapping. */
    public static final int INBOUND_LIMIT = 26;
    /** A new mapping refused: the worker's host table holds as many inside hosts as {@code hosts.max} allows. */
    public static final int HOST_TABLE_FULL = 27;

    /** A fragment of a datagram the worker has no room to track: its fragment table or held-fragment room is full. */
    public static final int FRAGMENT_TABLE_FULL = 28;
    /** A held fragment whose datagram's first fragment did not come within {@code fragment.timeout}. */
    public static final int FRAGMENT_TIMEOUT = 29;
    /** A fragment beyond {@code fragment.max.per.datagram}, or of a datagram that already had too many. */
    public static final int FRAGMENT_TOO_MANY = 30;
    /**
     * A fragment that overlaps another of its datagram, a tiny first fragment without the whole L4 header, a fragment
     * ending beyond 65,535 bytes or a non-last fragment not a multiple of 8 bytes (RFC 791, RFC 1858, RFC 3128); or a
     * later fragment of a datagram such a fragment made invalid.
     */
    public static final int FRAGMENT_INVALID = 31;

    /** The number of reasons; codes are {@code 0..COUNT-1}. */
    public static final int COUNT = 32;
    /** The drop counters' room in the hand-over format: codes {@code COUNT..SLOTS-1} are free for new reasons. */
    public static final int SLOTS = 40;

    // index = code; the order must match the constants above, DropsTest checks it
    private static final String[] NAMES = {"truncated", "bad-ip-header", "bad-ip-checksum", "bad-l4-header",
            "bad-l4-checksum", "fragment", "ttl-expired", "icmp-unsupported", "other-protocol", "no-session",
            "filtered",
            "unsolicited-syn", "tcp-no-session", "pool-exhausted", "quota", "session-table-full", "mapping-conflict",
            "handoff-loop", "event-log-full", "stage-error", "spoofed-source", "source-not-inside",
            "icmp-error-source", "icmp-rate-limited", "session-limit", "mapping-rate", "inbound-limit",
            "host-table-full", "fragment-table-full", "fragment-timeout", "fragment-too-many", "fragment-invalid"};

    private Drops() {
    }

    /**
     * Returns a reason's counter name, such as {@code "bad-ip-checksum"}.
     *
     * @param code a reason code, 0..{@link #COUNT}-1
     * @return its name
     * @throws IllegalArgumentException if code is not a reason
     */
    public static String name(int code) {
        if (code < 0 || code >= COUNT) {
            throw new IllegalArgumentException("drop reason must be 0.." + (COUNT - 1) + ", was " + code);
        }
        return NAMES[code];
    }
}
