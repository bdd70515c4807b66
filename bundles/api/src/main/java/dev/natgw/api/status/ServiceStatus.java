package dev.natgw.api.status;

import java.util.List;
import java.util.Objects;

/**
 * One natgw service contract and who provides it now.
 *
 * @param contract the fully qualified interface name, for example {@code dev.natgw.api.nat.NatService}
 * @param providers the ids of the bundles that register it, in service ranking order; empty when it is down
 */
public record ServiceStatus(String contract, List<Long> providers) {

    public ServiceStatus {
        Objects.requireNonNull(contract, "contract");
        providers = List.copyOf(Objects.requireNonNull(providers, "providers"));
    }

    /** @return whether at least one provider is registered */
    public boolean up() {
        return !providers.isEmpty();
    }

    /** @return the interface's simple name, for tables */
    public String shortName() {
        return contract.substring(contract.lastIndexOf('.') + 1);
    }
}
