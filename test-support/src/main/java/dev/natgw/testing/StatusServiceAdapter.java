package dev.natgw.testing;

import dev.natgw.api.status.ApplianceStatus;
import dev.natgw.api.status.StatusService;

/**
 * {@link dev.natgw.api.status.StatusService} for tests: every method throws {@link UnsupportedOperationException} until a test overrides
 * the ones it needs, so a test states exactly which part of the service it relies on.
 */
public class StatusServiceAdapter implements StatusService {
    @Override
    public ApplianceStatus status() {
        throw new UnsupportedOperationException("status");
    }
}
