package dev.natgw.core.internal;

import org.osgi.framework.Bundle;

/** Names of OSGi bundle states, as Karaf's own listings print them. */
public final class BundleStates {

    private BundleStates() {
    }

    /** @return the upper-case name of an OSGi bundle state constant, or {@code UNKNOWN(n)} */
    public static String name(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "UNKNOWN(" + state + ")";
        };
    }
}
