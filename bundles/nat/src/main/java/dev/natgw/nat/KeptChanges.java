package dev.natgw.nat;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.nat.internal.KeptConfigurations;

/**
 * The changes commands make that outlive a restart: a pool or static mapping is put in force at once (so a clash is
 * refused to the caller, not only logged) and then written as a factory configuration, which the configurator DS
 * makes for it applies again without effect; a removal takes it out of force and deletes its configuration. A write
 * that fails undoes the change. Config Admin is called outside the manager's lock: it delivers to DS on its own
 * thread, and the configurators take that lock.
 */
final class KeptChanges {
    private final NatManager m;
    final KeptConfigurations configurations = new KeptConfigurations();

    KeptChanges(NatManager m) {
        this.m = m;
    }

    void savePool(PoolDefinition pool) {
        configurations.requireAdmin("pool " + pool.name());
        synchronized (m.lock) {
            if (m.pools.containsKey(pool.name())) {
                // addPool would take it for its configurator's own add while that one is awaited
                throw new IllegalArgumentException("pool " + pool.name() + " exists already");
            }
            m.addPool(pool);
            // its configurator adds it again: a no-op while the definition is the same
            m.awaitedPools.add(pool.name());
        }
        try {
            configurations.writePool(pool);
        } catch (RuntimeException e) {
            m.removePool(pool.name());
            throw e;
        }
    }

    boolean deletePool(String name) {
        boolean removed = m.removePool(name);
        return configurations.deletePool(name) | removed;
    }

    void saveStaticMapping(StaticMapping mapping) {
        configurations.requireAdmin("static mapping " + StaticMappings.describe(mapping));
        m.mappings.add(mapping);
        String pid;
        try {
            pid = configurations.writeStaticMapping(mapping);
        } catch (RuntimeException e) {
            m.mappings.remove(mapping.protocol(), mapping.global());
            throw e;
        }
        // listed with its configuration at once, before DS makes the configurator, which then changes nothing
        m.mappings.configure(pid, mapping);
    }

    boolean deleteStaticMapping(Protocol protocol, Endpoint global) {
        String configuration;
        synchronized (m.lock) {
            StaticMapping s = m.mappings.find(protocol, global);
            if (s != null) {
                configuration = m.mappings.source(s);
                m.mappings.remove(protocol, global);
            } else {
                configuration = m.mappings.dropRefused(protocol, global);
                if (configuration == null) {
                    return false;
                }
            }
        }
        if (!configuration.isEmpty()) {
            configurations.delete(configuration);
        }
        return true;
    }
}
