package dev.natgw.registry.http;

import java.time.Duration;

/**
 * A {@link RegistryHttpConfig} checked: every refusal names the configuration key as written in
 * {@code etc/dev.natgw.registry.http.cfg}. The wide bounds are the per-source bounds times {@code wideFactor}.
 * Immutable.
 */
public record RegistryHttpSettings(int bodyMaxBytes, Duration bodyTimeout, int bodiesPerSource, int bodiesMax,
        int ratePerSource, int ratePerKey, int keysPerSource, int valuesPerKey, int prefixIpv4, int prefixIpv6,
        int widePrefixIpv4, int widePrefixIpv6, int wideFactor, int sourcesMax, int keysMax, boolean allowPlaintext) {

    /** The defaults of {@link RegistryHttpConfig}. */
    public static final RegistryHttpSettings DEFAULTS = new RegistryHttpSettings(16_384, Duration.ofSeconds(10), 8,
            1024, 50, 5, 16, 8, 32, 64, 24, 48, 8, 20_000, 50_000, false);

    /**
     * @throws IllegalArgumentException naming the key at fault
     */
    public static RegistryHttpSettings of(RegistryHttpConfig c) {
        int v4 = range("prefix.ipv4", c.prefix_ipv4(), 8, 32);
        int v6 = range("prefix.ipv6", c.prefix_ipv6(), 16, 128);
        return new RegistryHttpSettings(
                range("body.max.bytes", c.body_max_bytes(), 256, 1_048_576),
                Duration.ofSeconds(range("body.timeout", c.body_timeout(), 1, 300)),
                range("bodies.per.source", c.bodies_per_source(), 1, 10_000),
                range("bodies.max", c.bodies_max(), 1, 100_000),
                range("rate.per.source", c.rate_per_source(), 1, 100_000),
                range("rate.per.key", c.rate_per_key(), 1, 10_000),
                range("keys.per.source", c.keys_per_source(), 1, 100_000),
                range("values.per.key", c.values_per_key(), 1, 1000),
                v4, v6,
                range("wide.prefix.ipv4", c.wide_prefix_ipv4(), 8, v4),
                range("wide.prefix.ipv6", c.wide_prefix_ipv6(), 16, v6),
                range("wide.factor", c.wide_factor(), 1, 1000),
                range("sources.max", c.sources_max(), 16, 10_000_000),
                range("keys.max", c.keys_max(), 16, 10_000_000),
                c.allow_plaintext());
    }

    private static int range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    /** {@return a per-source bound made wide: times {@link #wideFactor()}, saturating} */
    long wide(int bound) {
        return (long) bound * wideFactor;
    }
}
