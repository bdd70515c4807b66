package dev.natgw.api.forwarder;

/**
 * What one tenant's servers may hold at once on a forwarder.
 *
 * @param servers servers registered at once, 1..1000000
 * @param relays clients waiting or relayed at once to all its servers, 1..10000000
 * @param bytesPerSecond relayed bytes per second, both directions of all its relays together (a token bucket holding
 *     one second's worth); 0 for no bound
 * @since 1.2
 */
public record TenantQuota(int servers, int relays, long bytesPerSecond) {
    /** Validates. */
    public TenantQuota {
        if (servers < 1 || servers > 1_000_000) {
            throw new IllegalArgumentException("servers must be 1..1000000, was " + servers);
        }
        if (relays < 1 || relays > 10_000_000) {
            throw new IllegalArgumentException("relays must be 1..10000000, was " + relays);
        }
        if (bytesPerSecond < 0 || bytesPerSecond > 1L << 40) {
            throw new IllegalArgumentException("bytesPerSecond must be 0..2^40, was " + bytesPerSecond);
        }
    }
}
