package dev.natgw.testing;

import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderLoad;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.api.forwarder.RelaySession;
import java.util.List;

/**
 * {@link dev.natgw.api.forwarder.ForwarderService} for tests: every method throws {@link UnsupportedOperationException} until a test overrides
 * the ones it needs, so a test states exactly which part of the service it relies on.
 */
public class ForwarderServiceAdapter implements ForwarderService {
    @Override
    public ForwarderInfo info() {
        throw new UnsupportedOperationException("info");
    }

    @Override
    public List<RegisteredServer> servers() {
        throw new UnsupportedOperationException("servers");
    }

    @Override
    public List<RelaySession> sessions(int a0) {
        throw new UnsupportedOperationException("sessions");
    }

    @Override
    public ForwarderCounters counters() {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public ForwarderLoad load() {
        throw new UnsupportedOperationException("load");
    }
}
