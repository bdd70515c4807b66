package dev.natgw.api.nat;

import java.util.Objects;

/**
 * A static mapping as the translator holds it: the mapping, the configuration it came from, and, for one the
 * translator refused, why. A configured mapping that clashes with one in force (the same protocol and global
 * endpoint, or the same inside endpoint) is refused rather than dropped, and applies once the clash is gone.
 *
 * @param mapping the mapping
 * @param configuration the PID of the configuration that holds it ({@code dev.natgw.nat.static~NAME}), or "" for
 *     one added without a configuration (it lasts until the translator restarts)
 * @param refusal "" if the mapping is in force, else why it is not
 */
public record StaticMappingEntry(StaticMapping mapping, String configuration, String refusal) {
    /** Validates. */
    public StaticMappingEntry {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(refusal, "refusal");
    }

    /** {@return whether the mapping is in force} */
    public boolean active() {
        return refusal.isEmpty();
    }
}
