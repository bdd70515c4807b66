package dev.natgw.api.registry;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/** Told when the entries under a watched key change; see {@link Registry#watch}. */
@ConsumerType
@FunctionalInterface
public interface RegistryListener {
    /**
     * Called with the entries now under the key, after an announcement, withdrawal or expiry changed
     * them. Called on a registry thread, never concurrently for one watch and in the order of the
     * changes; must return quickly and must not block, since other watches may wait for it.
     *
     * @param key the watched key
     * @param current the entries now under it, possibly empty; immutable
     */
    void changed(String key, List<RegistryEntry> current);
}
