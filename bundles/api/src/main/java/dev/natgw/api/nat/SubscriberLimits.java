package dev.natgw.api.nat;

/**
 * What one inside host (a subscriber) may hold of a pool beyond its port quota (RFC 6888 REQ-4 and REQ-5), and what
 * outside packets may open on one of its mappings. Each limit is checked against the host's totals over all pools,
 * with the limits of the pool the flow is mapped from; 0 switches a limit off.
 *
 * @param sessionsPerHost the most sessions one inside host may hold (created from inside or, for its mappings,
 *     from outside); 0 for no limit
 * @param mappingsPerSecond the sustained rate of new mappings one inside host may make, a token bucket refilled at
 *     this rate; 0 for no limit
 * @param mappingBurst the bucket's depth: new mappings a host that made none for a while may make at once, at
 *     least 1 when {@code mappingsPerSecond} is set
 * @param inboundSessionsPerMapping the most sessions a mapping may hold for an outside packet to open one more on
 *     it (the filtering behaviour still decides whether it may at all); sessions opened from inside are not held
 *     back by it; 0 for no limit
 * @since 1.4
 */
public record SubscriberLimits(int sessionsPerHost, int mappingsPerSecond, int mappingBurst,
        int inboundSessionsPerMapping) {
    /** Sessions per host by default. */
    public static final int DEFAULT_SESSIONS_PER_HOST = 16384;
    /** New mappings per second per host by default. */
    public static final int DEFAULT_MAPPINGS_PER_SECOND = 2000;
    /** The bucket's depth by default. */
    public static final int DEFAULT_MAPPING_BURST = 4000;
    /** Sessions per mapping below which outside packets may open one more, by default. */
    public static final int DEFAULT_INBOUND_SESSIONS_PER_MAPPING = 256;

    /** The recommended limits: on, and well above what one honest host needs. */
    public static final SubscriberLimits DEFAULT = new SubscriberLimits(DEFAULT_SESSIONS_PER_HOST,
            DEFAULT_MAPPINGS_PER_SECOND, DEFAULT_MAPPING_BURST, DEFAULT_INBOUND_SESSIONS_PER_MAPPING);
    /** No limits at all, as before version 1.4: for benchmarks and tests that load one host on purpose. */
    public static final SubscriberLimits NONE = new SubscriberLimits(0, 0, 0, 0);

    /** Validates. */
    public SubscriberLimits {
        Checks.nonNegative("sessionsPerHost", sessionsPerHost);
        Checks.nonNegative("mappingsPerSecond", mappingsPerSecond);
        Checks.nonNegative("mappingBurst", mappingBurst);
        Checks.nonNegative("inboundSessionsPerMapping", inboundSessionsPerMapping);
        if (mappingsPerSecond > 1_000_000_000) {
            throw new IllegalArgumentException("mappingsPerSecond must be <= 1000000000, was " + mappingsPerSecond);
        }
        if (mappingsPerSecond > 0 && mappingBurst < 1) {
            throw new IllegalArgumentException("mappingBurst must be >= 1 when mappingsPerSecond is set, was "
                    + mappingBurst);
        }
    }
}
