package dev.natgw.api.status;

import java.util.Objects;

/**
 * One natgw bundle as the framework sees it.
 *
 * @param id the framework's bundle id
 * @param symbolicName {@code Bundle-SymbolicName}
 * @param version {@code Bundle-Version}
 * @param state the OSGi state in upper case: INSTALLED, RESOLVED, STARTING, ACTIVE, STOPPING or UNINSTALLED
 * @param lastModified when the bundle was installed or last updated, in milliseconds since the epoch
 */
public record BundleStatus(long id, String symbolicName, String version, String state, long lastModified) {

    public BundleStatus {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(state, "state");
    }

    /** @return whether the bundle is ACTIVE */
    public boolean active() {
        return "ACTIVE".equals(state);
    }
}
