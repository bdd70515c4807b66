package dev.natgw.registry;

import dev.natgw.api.registry.RegistryEntry;
import java.util.List;
import java.util.SortedMap;

/**
 * The registry seen whole, for the {@code registry:} commands: which keys hold entries, and the entries under a key
 * prefix. Private to this bundle, so that the published {@link dev.natgw.api.registry.Registry} contract stays as it
 * is; {@link RegistryManager} provides both.
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

    /**
     * @param prefix the start of the keys wanted, empty for all
     * @param max the most entries to return, at least 1
     * @return the live entries under the keys that start with prefix, in key order
     */
    List<RegistryEntry> entries(String prefix, int max);

    /** {@return the owner name this registry instance announces under} */
    String owner();
}
