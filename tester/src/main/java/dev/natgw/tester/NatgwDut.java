package dev.natgw.tester;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.dataplane.dpdk.DataplaneSettings;
import dev.natgw.dataplane.dpdk.Engine;
import dev.natgw.dataplane.internal.DataplaneConfig;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.internal.NatConfig;
import dev.natgw.testing.ConfigProxy;
import java.util.List;
import java.util.Map;

/**
 * natgw's dataplane and translator, started in the tester's JVM on the gateway ends of a topology (the same
 * {@link Engine} and {@link NatManager} the appliance runs, without Karaf around them): one worker, one pool with
 * its per-subscriber limits off. Its
 * table is emptied through {@link NatManager#clearSessions}, the call behind {@code nat:sessions-clear}.
 */
public final class NatgwDut implements Dut {
    private final Engine engine;
    private final NatManager nat;

    /**
     * @param insideDevice the DPDK device of natgw's inside port
     * @param outsideDevice the DPDK device of its outside port
     * @param pool the pool's addresses
     * @param sessionsMax the session table's size
     * @param cpus natgw's worker CPUs ("none" for unpinned)
     */
    public NatgwDut(String insideDevice, String outsideDevice, Ipv4Range pool, int sessionsMax, String cpus) {
        engine = new Engine(DataplaneSettings.of(ConfigProxy.of(DataplaneConfig.class,
                Map.of("inside.device", insideDevice, "outside.device", outsideDevice, "workers.cpus", cpus))));
        engine.start();
        // no port hold-down: a flushed table's ports must serve the next trial at once (the tester's tuples never
        // repeat, so no late frame of an old session can reach a new one)
        nat = new NatManager(ConfigProxy.of(NatConfig.class, Map.of("sessions.max", sessionsMax,
                "inside.prefixes", new String[]{"198.18.0.0/15"}, "event.log", false, "port.hold.down", 0)));
        // one inside host carries every flow (RFC 9693's tester uses one address pair), so natgw's per-subscriber
        // limits (RFC 6888: port quota, sessions per host, new mappings per second) are off, as Linux has none
        nat.addPool(new PoolDefinition("default", List.of(pool), 1024, 65535, MappingBehavior.DEFAULT,
                FilteringBehavior.DEFAULT, true, 0, false).withLimits(SubscriberLimits.NONE));
        if (!engine.addStage(nat, "nat", 500, 1)) {
            close();
            throw new IllegalStateException("the dataplane refused the NAT stage");
        }
    }

    @Override
    public String name() {
        return "natgw";
    }

    @Override
    public boolean canFlush() {
        return true;
    }

    @Override
    public void flush() {
        nat.clearSessions(SessionFilter.ALL);
    }

    /** {@return the sessions in the table} */
    public long sessions() {
        return nat.sessionCount();
    }

    /** {@return the dataplane's and the translator's non-zero counters, for the report} */
    public String counters() {
        StringBuilder b = new StringBuilder();
        engine.counters().forEach((k, v) -> {
            if (v != 0) {
                b.append(k).append('=').append(v).append(' ');
            }
        });
        return b.append(nat.counters()).toString();
    }

    @Override
    public void close() {
        System.err.println("natgw counters: " + counters());
        engine.stop();
        nat.close();
    }
}
