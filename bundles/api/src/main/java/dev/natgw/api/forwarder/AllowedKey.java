package dev.natgw.api.forwarder;

import java.time.Instant;
import java.util.Objects;

/**
 * A server key the operator allow-listed: it registers without a tenant credential.
 *
 * @param key the server's key
 * @param tenant the tenant whose quota it counts against, or empty for none
 * @param added when it was allow-listed
 * @param registered whether it is registered now
 * @since 1.2
 */
public record AllowedKey(String key, String tenant, Instant added, boolean registered) {
    /** Validates. */
    public AllowedKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(added, "added");
    }
}
