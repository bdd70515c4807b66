package dev.natgw.registry.internal;

import java.util.SortedMap;

/**
 * The registry seen whole, for the {@code registry:} commands: which keys hold entries (the entries themselves are
 * listed by {@link dev.natgw.api.registry.Registry#list}). Private to this bundle; the bundle's RegistryManager
 * provides both.
 *
 * <p>
 * Every method is safe from any thread and may block on the network for a distributed backend.
 */
public interface RegistryBrowser {
    /**
     * @param prefix the start of the keys wanted, empty for all
     * @return the keys that start with prefix and hold live entries, each with its number of live entries, in key
     *         order
     */
    SortedMap<String, Integer> keys(String prefix);

    /** {@return the owner name this registry instance announces under} */
    String owner();
}
