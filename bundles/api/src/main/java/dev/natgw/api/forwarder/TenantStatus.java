package dev.natgw.api.forwarder;

import java.time.Instant;
import java.util.Objects;

/**
 * A tenant of the forwarder and what it holds now.
 *
 * @param name the tenant's name
 * @param quota its bounds
 * @param created when its credential was issued
 * @param servers its servers registered now
 * @param relays its clients waiting or relayed now
 * @param bytesRelayed bytes relayed for it since the forwarder (re)started
 * @param throttled how many times one of its relays waited for its byte rate since then
 * @since 1.2
 */
public record TenantStatus(String name, TenantQuota quota, Instant created, int servers, int relays,
        long bytesRelayed, long throttled) {
    /** Validates. */
    public TenantStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(created, "created");
        Checks.nonNegative("servers", servers);
        Checks.nonNegative("relays", relays);
        Checks.nonNegative("bytesRelayed", bytesRelayed);
        Checks.nonNegative("throttled", throttled);
    }
}
