package dev.natgw.api.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * One value announced under a key, until it expires.
 *
 * @param key the key, valid by {@link RegistryKeys#requireValid}
 * @param value the value, valid by {@link RegistryKeys#requireValidValue}
 * @param owner the identity that announced it, or null where the backend does not know one
 * @param expires when it expires unless announced again
 */
public record RegistryEntry(String key, String value, String owner, Instant expires) {
    /** Validates. */
    public RegistryEntry {
        RegistryKeys.requireValid(key);
        RegistryKeys.requireValidValue(value);
        Objects.requireNonNull(expires, "expires");
    }
}
