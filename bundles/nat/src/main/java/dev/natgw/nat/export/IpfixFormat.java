package dev.natgw.nat.export;

/**
 * The IPFIX numbers natgw sends (RFC 7011 message layout, RFC 8158 NAT information elements, IANA's IPFIX
 * registry): a format collectors decode, so every number is pinned by a test and never derived from an enum.
 */
public final class IpfixFormat {
    private IpfixFormat() {
    }

    /** The version field of an IPFIX message header. */
    public static final int VERSION = 10;
    /** The length of the message header. */
    public static final int HEADER = 16;
    /** The set id of a template set. */
    public static final int TEMPLATE_SET = 2;
    /** The length field of a variable-length element (RFC 7011 section 7). */
    public static final int VARIABLE = 0xffff;

    /** Template: a mapping created or deleted (natEvent 1 or 2). */
    public static final int TEMPLATE_SESSION = 256;
    /** Template: a new session refused because the pool had no free port (natEvent 3). */
    public static final int TEMPLATE_EXHAUSTED = 257;
    /** Template: a new session refused because the inside host reached a limit (natEvent 11). */
    public static final int TEMPLATE_QUOTA = 258;
    /** Template: a port block allocated or released (natEvent 14 or 15). */
    public static final int TEMPLATE_PORT_BLOCK = 259;

    // information elements (IANA IPFIX registry)
    /** protocolIdentifier, unsigned8. */
    public static final int IE_PROTOCOL = 4;
    /** sourceTransportPort, unsigned16. */
    public static final int IE_SOURCE_PORT = 7;
    /** sourceIPv4Address, ipv4Address. */
    public static final int IE_SOURCE_IPV4 = 8;
    /** postNATSourceIPv4Address, ipv4Address. */
    public static final int IE_POST_NAT_SOURCE_IPV4 = 225;
    /** postNAPTSourceTransportPort, unsigned16. */
    public static final int IE_POST_NAPT_SOURCE_PORT = 227;
    /** natEvent, unsigned8 (RFC 8158). */
    public static final int IE_NAT_EVENT = 230;
    /** natPoolId, unsigned32. */
    public static final int IE_NAT_POOL_ID = 283;
    /** natPoolName, string. */
    public static final int IE_NAT_POOL_NAME = 284;
    /** observationTimeMilliseconds, dateTimeMilliseconds. */
    public static final int IE_OBSERVATION_TIME_MS = 323;
    /** portRangeStart, unsigned16. */
    public static final int IE_PORT_RANGE_START = 361;
    /** portRangeEnd, unsigned16. */
    public static final int IE_PORT_RANGE_END = 362;
    /** portRangeStepSize, unsigned16. */
    public static final int IE_PORT_RANGE_STEP = 363;
    /** portRangeNumPorts, unsigned16. */
    public static final int IE_PORT_RANGE_PORTS = 364;
    /** natQuotaExceededEvent, unsigned32 (RFC 8158). */
    public static final int IE_NAT_QUOTA_EXCEEDED_EVENT = 466;

    // natEvent values (RFC 8158 section 4.1, IANA "NAT Event Type")
    /** NAT44 session create. */
    public static final int NAT44_SESSION_CREATE = 1;
    /** NAT44 session delete. */
    public static final int NAT44_SESSION_DELETE = 2;
    /** NAT addresses exhausted. */
    public static final int NAT_ADDRESSES_EXHAUSTED = 3;
    /** Quota exceeded. */
    public static final int QUOTA_EXCEEDED = 11;
    /** Port block allocation. */
    public static final int PORT_BLOCK_ALLOCATION = 14;
    /** Port block de-allocation. */
    public static final int PORT_BLOCK_DEALLOCATION = 15;

    /** natQuotaExceededEvent: maximum entries per user (RFC 8158 section 4.1.10). */
    public static final int QUOTA_MAX_ENTRIES_PER_USER = 3;

    /** The most bytes of a pool name sent; longer names are cut. */
    public static final int POOL_NAME_MAX = 64;

    /** The fields of each template as (element, length) pairs, in the order the records carry them. */
    static int[] fields(int template) {
        return switch (template) {
            case TEMPLATE_SESSION -> new int[]{IE_OBSERVATION_TIME_MS, 8, IE_NAT_EVENT, 1, IE_PROTOCOL, 1,
                    IE_SOURCE_IPV4, 4, IE_SOURCE_PORT, 2, IE_POST_NAT_SOURCE_IPV4, 4, IE_POST_NAPT_SOURCE_PORT, 2,
                    IE_NAT_POOL_ID, 4, IE_NAT_POOL_NAME, VARIABLE};
            case TEMPLATE_EXHAUSTED -> new int[]{IE_OBSERVATION_TIME_MS, 8, IE_NAT_EVENT, 1, IE_PROTOCOL, 1,
                    IE_SOURCE_IPV4, 4, IE_SOURCE_PORT, 2, IE_NAT_POOL_ID, 4, IE_NAT_POOL_NAME, VARIABLE};
            case TEMPLATE_QUOTA -> new int[]{IE_OBSERVATION_TIME_MS, 8, IE_NAT_EVENT, 1,
                    IE_NAT_QUOTA_EXCEEDED_EVENT, 4, IE_PROTOCOL, 1, IE_SOURCE_IPV4, 4, IE_SOURCE_PORT, 2,
                    IE_NAT_POOL_ID, 4, IE_NAT_POOL_NAME, VARIABLE};
            case TEMPLATE_PORT_BLOCK -> new int[]{IE_OBSERVATION_TIME_MS, 8, IE_NAT_EVENT, 1, IE_SOURCE_IPV4, 4,
                    IE_POST_NAT_SOURCE_IPV4, 4, IE_PORT_RANGE_START, 2, IE_PORT_RANGE_END, 2, IE_PORT_RANGE_STEP, 2,
                    IE_PORT_RANGE_PORTS, 2, IE_NAT_POOL_ID, 4, IE_NAT_POOL_NAME, VARIABLE};
            default -> throw new IllegalArgumentException("no template " + template);
        };
    }

    /** Every template natgw defines, in the order the template set carries them. */
    static final int[] TEMPLATES = {TEMPLATE_SESSION, TEMPLATE_EXHAUSTED, TEMPLATE_QUOTA, TEMPLATE_PORT_BLOCK};
}
