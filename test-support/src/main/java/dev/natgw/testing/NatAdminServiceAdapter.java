package dev.natgw.testing;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.PortUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.StaticMappingEntry;
import dev.natgw.api.nat.Timeouts;
import java.util.List;

/**
 * {@link dev.natgw.api.nat.NatAdminService} for tests: every method throws {@link UnsupportedOperationException} until a test overrides
 * the ones it needs, so a test states exactly which part of the service it relies on.
 */
public class NatAdminServiceAdapter implements NatAdminService {
    @Override
    public List<PoolDefinition> pools() {
        throw new UnsupportedOperationException("pools");
    }

    @Override
    public List<PoolUsage> poolUsage() {
        throw new UnsupportedOperationException("poolUsage");
    }

    @Override
    public List<PortUsage> portUsage(String a0) {
        throw new UnsupportedOperationException("portUsage");
    }

    @Override
    public NatCounters counters() {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public long sessionCount() {
        throw new UnsupportedOperationException("sessionCount");
    }

    @Override
    public List<SessionInfo> sessions(SessionFilter a0, int a1) {
        throw new UnsupportedOperationException("sessions");
    }

    @Override
    public List<StaticMapping> staticMappings() {
        throw new UnsupportedOperationException("staticMappings");
    }

    @Override
    public Timeouts timeouts() {
        throw new UnsupportedOperationException("timeouts");
    }

    @Override
    public OtherProtocolPolicy otherProtocolPolicy() {
        throw new UnsupportedOperationException("otherProtocolPolicy");
    }

    @Override
    public void addPool(PoolDefinition a0) {
        throw new UnsupportedOperationException("addPool");
    }

    @Override
    public boolean removePool(String a0) {
        throw new UnsupportedOperationException("removePool");
    }

    @Override
    public List<StaticMappingEntry> staticMappingEntries() {
        throw new UnsupportedOperationException("staticMappingEntries");
    }

    @Override
    public void savePool(PoolDefinition a0) {
        throw new UnsupportedOperationException("savePool");
    }

    @Override
    public boolean deletePool(String a0) {
        throw new UnsupportedOperationException("deletePool");
    }

    @Override
    public void saveStaticMapping(StaticMapping a0) {
        throw new UnsupportedOperationException("saveStaticMapping");
    }

    @Override
    public boolean deleteStaticMapping(Protocol a0, Endpoint a1) {
        throw new UnsupportedOperationException("deleteStaticMapping");
    }

    @Override
    public String configureStaticMapping(String a0, StaticMapping a1) {
        throw new UnsupportedOperationException("configureStaticMapping");
    }

    @Override
    public boolean unconfigureStaticMapping(String a0) {
        throw new UnsupportedOperationException("unconfigureStaticMapping");
    }

    @Override
    public void addStaticMapping(StaticMapping a0) {
        throw new UnsupportedOperationException("addStaticMapping");
    }

    @Override
    public boolean removeStaticMapping(Protocol a0, Endpoint a1) {
        throw new UnsupportedOperationException("removeStaticMapping");
    }

    @Override
    public void setTimeouts(Timeouts a0) {
        throw new UnsupportedOperationException("setTimeouts");
    }

    @Override
    public int clearSessions(SessionFilter a0) {
        throw new UnsupportedOperationException("clearSessions");
    }
}
