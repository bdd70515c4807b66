package dev.natgw.registry.internal;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryKeys;
import java.time.Duration;
import java.util.Objects;

/** The argument rules of {@link Registry}, shared by the backends. Stateless. */
public final class Checks {
    private Checks() {
    }

    /** Checks an announcement's key, value and TTL. */
    public static void announcement(String key, String value, Duration ttl) {
        RegistryKeys.requireValid(key);
        RegistryKeys.requireValidValue(value);
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.compareTo(Registry.MIN_TTL) < 0 || ttl.compareTo(Registry.MAX_TTL) > 0) {
            throw new IllegalArgumentException(
                    "ttl must be " + Registry.MIN_TTL + ".." + Registry.MAX_TTL + ", was " + ttl);
        }
    }

    /** Checks a lookup's key and bound. */
    public static void lookup(String key, int max) {
        RegistryKeys.requireValid(key);
        max(max);
    }

    /** Checks a bound on results. */
    public static void max(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
    }

    /** Checks a key prefix: empty, or the start of a valid key. */
    public static String prefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty()) {
            RegistryKeys.requireValid(prefix);
        }
        return prefix;
    }
}
