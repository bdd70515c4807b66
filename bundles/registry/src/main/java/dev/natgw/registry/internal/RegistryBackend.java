package dev.natgw.registry.internal;

import dev.natgw.api.registry.Registry;

/**
 * One place where the registry keeps its entries: {@link EmbeddedBackend} or {@link ZooKeeperBackend}. The manager
 * holds one at a time and swaps it when the configuration changes.
 *
 * <p>
 * Every method is safe from any thread.
 */
public interface RegistryBackend extends Registry, RegistryBrowser, AutoCloseable {
    /**
     * Closes every watch, forgets (embedded) or withdraws (zookeeper) this instance's entries and releases the
     * backend's resources. Idempotent; never throws.
     */
    @Override
    void close();
}
