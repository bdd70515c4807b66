package dev.natgw.console.model;

import dev.natgw.api.status.ApplianceStatus;
import dev.natgw.api.status.StatusService;

/** The Bundles view's figures: natgw's bundles with state and version, and which natgw services are up. */
public final class BundlesModel {
    private BundlesModel() {
    }

    /**
     * Reads the appliance's status, the answer behind {@code natgw:status}.
     *
     * @param status the status service, or null while absent
     * @return the status, or why there is none
     */
    public static Reading<ApplianceStatus> read(StatusService status) {
        return Reading.of(status, "The status service (StatusService, bundle dev.natgw.core)", StatusService::status);
    }
}
