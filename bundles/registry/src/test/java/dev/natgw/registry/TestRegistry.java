package dev.natgw.registry;

import java.lang.reflect.Proxy;

/** A real embedded RegistryManager for tests of other modules, with every configuration attribute at its default. */
public final class TestRegistry {
    private TestRegistry() {
    }

    public static RegistryManager start() {
        RegistryConfig defaults = (RegistryConfig) Proxy.newProxyInstance(RegistryConfig.class.getClassLoader(),
                new Class<?>[]{RegistryConfig.class}, (proxy, method, args) -> method.getName().equals(
                        "annotationType") ? RegistryConfig.class : method.getDefaultValue());
        return new RegistryManager(defaults);
    }

    public static void stop(RegistryManager registry) {
        registry.deactivate();
    }
}
