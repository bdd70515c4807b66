package dev.natgw.api.status;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of the appliance.
 *
 * @param version the version of the bundle that answered (the natgw release)
 * @param taken when the snapshot was taken
 * @param bundles every installed bundle whose symbolic name starts with {@code dev.natgw.}, by bundle id
 * @param services the natgw service contracts and how many providers each has now
 * @param jdk the JVM the appliance runs on
 * @param dpdk what was found of DPDK's libraries on this machine
 */
public record ApplianceStatus(String version, Instant taken, List<BundleStatus> bundles,
        List<ServiceStatus> services, JdkInfo jdk, DpdkInfo dpdk) {

    public ApplianceStatus {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(taken, "taken");
        bundles = List.copyOf(Objects.requireNonNull(bundles, "bundles"));
        services = List.copyOf(Objects.requireNonNull(services, "services"));
        Objects.requireNonNull(jdk, "jdk");
        Objects.requireNonNull(dpdk, "dpdk");
    }
}
