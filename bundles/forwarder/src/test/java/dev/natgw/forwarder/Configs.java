package dev.natgw.forwarder;

import dev.natgw.forwarder.internal.ForwarderConfig;
import dev.natgw.registry.RegistryConfig;
import dev.natgw.testing.ConfigProxy;
import java.util.Map;

/**
 * The forwarder tests' two configurations, built by {@link ConfigProxy} as Config Admin would build them: the given
 * values by configuration key (with dots, as in the .cfg file), every other attribute at its annotation default.
 */
public final class Configs {
    private Configs() {
    }

    public static ForwarderConfig forwarder(Map<String, Object> values) {
        return ConfigProxy.of(ForwarderConfig.class, values);
    }

    public static RegistryConfig registry(Map<String, Object> values) {
        return ConfigProxy.of(RegistryConfig.class, values);
    }

    public static <A> A of(Class<A> type, Map<String, Object> values) {
        return ConfigProxy.of(type, values);
    }
}
