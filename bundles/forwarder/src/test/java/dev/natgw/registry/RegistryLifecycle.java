package dev.natgw.registry;

/** Stops a RegistryManager from tests in other modules, as DS would (its deactivate is package-private). */
public final class RegistryLifecycle {
    private RegistryLifecycle() {
    }

    public static void stop(RegistryManager registry) {
        registry.deactivate();
    }
}
