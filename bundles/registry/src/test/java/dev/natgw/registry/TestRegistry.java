package dev.natgw.registry;

import dev.natgw.testing.ConfigProxy;
import java.util.Map;

/** A real embedded RegistryManager for tests of other modules, with every configuration attribute at its default. */
public final class TestRegistry {
    private TestRegistry() {
    }

    public static RegistryManager start() {
        return new RegistryManager(ConfigProxy.of(RegistryConfig.class, Map.of()));
    }

    public static void stop(RegistryManager registry) {
        registry.deactivate();
    }
}
