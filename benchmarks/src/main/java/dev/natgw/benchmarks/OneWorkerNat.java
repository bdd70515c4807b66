package dev.natgw.benchmarks;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.NatManager;
import dev.natgw.nat.fastpath.NatWorker;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FakeDataplane;
import java.time.Duration;
import java.util.List;

/**
 * A translator attached to a one-worker {@link FakeDataplane} used only as its {@code StageContext}: no
 * ticker thread runs, so the benchmark thread is the worker and calls {@link NatWorker#process} itself. RFC
 * default timeouts (nothing expires during a run, and no tick runs anyway), no hold-down, no event log.
 */
final class OneWorkerNat implements AutoCloseable {
    /**
     * Subscriber limits that are checked on every new flow, as the defaults are, but never bind: the benchmarks load a
     * few inside hosts far beyond what one subscriber may hold, and measure what the checks cost.
     */
    static final SubscriberLimits UNBOUND = new SubscriberLimits(Integer.MAX_VALUE, 1_000_000_000, Integer.MAX_VALUE,
            Integer.MAX_VALUE);

    /** The outside pool: 198.19.1.0/24, 256 addresses. */
    static final Ipv4Range POOL = new Ipv4Range(Ipv4.parse("198.19.1.0"), Ipv4.parse("198.19.1.255"));
    /** Inside hosts are 198.18.0.0/16. */
    static final int INSIDE_BASE = Ipv4.parse("198.18.0.0");
    /** Remotes are 198.19.128.0/20, outside the pool. */
    static final int REMOTE_BASE = Ipv4.parse("198.19.128.0");

    final NatManager nat;
    final NatWorker worker;

    /**
     * Builds the translator with one pool over {@link #POOL}, ports 1025..65535, paired pooling.
     *
     * @param sessions the session table's capacity
     */
    OneWorkerNat(int sessions) {
        this(sessions, 1024);
    }

    /**
     * Builds the translator with a given event ring.
     *
     * @param sessions the session table's capacity
     * @param eventRing the events the worker buffers for the event thread
     */
    OneWorkerNat(int sessions, int eventRing) {
        this(sessions, eventRing, PortAllocation.PER_SESSION);
    }

    /**
     * Builds the translator with a given event ring and port allocation.
     *
     * @param sessions the session table's capacity
     * @param eventRing the events the worker buffers for the event thread
     * @param allocation how the pool hands out ports
     */
    OneWorkerNat(int sessions, int eventRing, PortAllocation allocation) {
        this(sessions, eventRing, allocation, false);
    }

    /**
     * Builds the translator with a given event ring and port allocation, the event log on or off.
     *
     * @param sessions the session table's capacity
     * @param eventRing the events the worker buffers for the event thread
     * @param allocation how the pool hands out ports
     * @param log whether the event log writes its lines ({@code NatManager.setEventLines})
     */
    OneWorkerNat(int sessions, int eventRing, PortAllocation allocation, boolean log) {
        nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, sessions, 1 << 17, Duration.ZERO, 1 << 16,
                OtherProtocolPolicy.DROP, log, eventRing));
        nat.addPool(new PoolDefinition("bench", List.of(POOL), 1025, 65535, MappingBehavior.ENDPOINT_INDEPENDENT,
                FilteringBehavior.ADDRESS_DEPENDENT, true, 0, false, UNBOUND, allocation));
        nat.attach(new FakeDataplane(1));
        worker = nat.engine().worker(0);
    }

    /**
     * The allocation a benchmark parameter names: {@code per-session}, or {@code port-blocks} (blocks of 64 ports,
     * up to 64 a host: the benchmarks' 65,536 hosts hold up to 160 sessions each).
     *
     * @param name the parameter
     * @return the allocation
     */
    static PortAllocation allocation(String name) {
        return switch (name) {
            case "per-session" -> PortAllocation.PER_SESSION;
            case "port-blocks" -> PortAllocation.blocks(64, 64);
            default -> throw new IllegalArgumentException("allocation must be per-session or port-blocks, was " + name);
        };
    }

    @Override
    public void close() {
        nat.detach();
        nat.close();
    }
}
