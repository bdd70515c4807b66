package dev.natgw.nat;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.StageContext;
import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.FragmentUsage;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.NatEvents;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.DeterministicMapping;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.PortUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.StaticMappingEntry;
import dev.natgw.api.nat.TcpState;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.api.state.StateDeposit;
import dev.natgw.api.state.StateKeeper;
import dev.natgw.nat.fastpath.NatEngine;
import dev.natgw.nat.fastpath.InsidePrefixes;
import dev.natgw.nat.fastpath.NatSnapshot;
import dev.natgw.nat.fastpath.NatWorker;
import dev.natgw.nat.fastpath.PoolRuntime;
import dev.natgw.nat.fastpath.StaticTable;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.handover.Drops;
import dev.natgw.nat.handover.HandOverFormat;
import dev.natgw.nat.handover.TcpStateCodes;
import dev.natgw.nat.internal.NatEventSink;
import dev.natgw.nat.internal.EventLog;
import dev.natgw.nat.internal.NatConfig;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.internal.WorkerMailbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NAPT translator: the {@link NatAdminService} of the control plane and the {@link PacketStage} the
 * dataplane runs. The control plane (this class's methods, under one lock) keeps the definitions and
 * publishes immutable {@link NatSnapshot}s; the workers' state lives in a {@link NatEngine} made when the
 * dataplane attaches the stage. Session lists and clears are asked of the workers through their mailboxes.
 * A logging thread drains the workers' event rings into the {@value NatEvents#LOGGER_NAME} logger.
 *
 * <p>
 * Hand-over: when the component deactivates or the dataplane detaches the stage, {@link NatHandOver} deposits the
 * off-heap tables, allocators, pools and static mappings with the {@link StateKeeper} (if there is one) instead of
 * freeing them, and the next {@link #attach} adopts or refuses them by name ({@link #lastHandOver()}); the format is
 * in {@code handover/}. The {@code PacketStage} methods delegate to {@link NatStage}; pool runtimes live in
 * {@link PoolSlots}.
 */
@Component(service = {NatService.class, NatAdminService.class,
        PacketStage.class}, configurationPid = NatManager.PID, property = {PacketStage.STAGE_NAME + "=nat",
                PacketStage.STAGE_ORDER + ":Integer=500"})
@Designate(ocd = NatConfig.class)
public final class NatManager implements NatAdminService, PacketStage {
    /** The configuration PID. */
    public static final String PID = "dev.natgw.nat";

    private static final Logger LOG = LoggerFactory.getLogger(NatManager.class);

    // package-private: NatStage, NatHandOver and PoolSlots work on them, under the lock
    final Object lock = new Object();
    final LinkedHashMap<String, PoolDefinition> pools = new LinkedHashMap<>();
    final List<StaticMapping> statics = new ArrayList<>();
    volatile NatSettings settings;
    NatEngine engine;
    final PoolSlots poolSlots = new PoolSlots(this);
    private final SessionRequests sessionRequests = new SessionRequests(this);
    final NatStage stage = new NatStage(this);
    final NatHandOver handOver = new NatHandOver(this);
    final EventLog events;
    final WorkerMailbox mailbox = new WorkerMailbox();
    /** The owner name of the NAT's deposits. */
    public static final String STATE_OWNER = HandOverFormat.STATE_OWNER;
    final String instance = UUID.randomUUID().toString();
    volatile StateKeeper keeper;
    volatile String lastHandOver = "none: nothing was handed over";
    /**
     * Pools a configuration is to add again, restored from a deposit or saved by a command; adding one unchanged is
     * a no-op.
     */
    final Set<String> awaitedPools = new HashSet<>();
    final StaticMappings mappings = new StaticMappings(this);
    final KeptChanges kept = new KeptChanges(this);
    final RestartHolds restartHolds = new RestartHolds(this);

    /**
     * Activates with the configuration of PID {@value #PID}.
     *
     * @param config the configuration
     * @throws IllegalArgumentException naming the field if the configuration is invalid
     */
    @Activate
    public NatManager(NatConfig config) {
        this(NatSettings.of(config));
    }

    /**
     * Makes a translator with validated settings; for tests and benchmarks, which call {@link #close()}.
     *
     * @param settings the settings
     */
    public NatManager(NatSettings settings) {
        this.settings = settings;
        this.events = new EventLog(stage::live, () -> this.settings.eventLog(), () -> {
            synchronized (lock) {
                handOver.freeRefused();
            }
        });
        LOG.info("NAT translator started: up to {} sessions, timeouts {}, other protocols {}",
                settings.sessionsMax(), settings.timeouts(), settings.otherProtocols());
    }

    /**
     * Applies a changed configuration: timeouts and the other-protocol policy at once, sizes at the next
     * attach.
     *
     * @param config the configuration
     */
    @Modified
    void modified(NatConfig config) {
        NatSettings s = NatSettings.of(config);
        synchronized (lock) {
            NatSettings old = settings;
            settings = s;
            if (old.sessionsMax() != s.sessionsMax() || old.hostsMax() != s.hostsMax()
                    || old.eventRing() != s.eventRing()) {
                LOG.info("NAT table sizes change when the dataplane next attaches the stage");
            }
            publish();
        }
    }

    /** Stops the event thread; the dataplane detaches the stage before this when it is running. */
    @Deactivate
    public void close() {
        events.close();
        synchronized (lock) {
            restartHolds.save();
            // deposited: the dataplane may run the old stage on the tables until the new one replaces it
            if (!handOver.deposit("the translator stops")) {
                closeEngine();
            }
            handOver.freeRefused();
        }
        LOG.info("NAT translator stopped");
    }

    /**
     * Replaces the clock {@link NatStage#process} reads; tests drive time by hand with it.
     *
     * @param nanoClock returns nanoseconds like {@link System#nanoTime()}
     */
    public void setClock(LongSupplier nanoClock) {
        stage.clock = nanoClock;
    }

    /**
     * Sets the file the port hold-down is kept in across a restart, instead of {@code karaf.data}'s
     * {@code natgw/nat-hold-down.bin}; for tests.
     *
     * @param file the file, or null to keep nothing
     */
    public void setHoldDownFile(Path file) {
        restartHolds.file = file;
    }

    /**
     * Sends the NAT event log's lines somewhere else than the {@value NatEvents#LOGGER_NAME} logger; for
     * tests.
     *
     * @param lines receives each line, on the logging thread
     */
    public void setEventLines(Consumer<String> lines) {
        events.setLines(lines);
    }

    /**
     * Binds the keeper that hands the session tables to the next revision; without one they are freed on
     * detach as before.
     *
     * @param k the keeper
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    public void setStateKeeper(StateKeeper k) {
        keeper = k;
    }

    /**
     * Unbinds the keeper.
     *
     * @param k the keeper going away
     */
    public void unsetStateKeeper(StateKeeper k) {
        if (keeper == k) {
            keeper = null;
        }
    }

    /**
     * Binds an event exporter (IPFIX, syslog), which the event thread hands every event it drains.
     *
     * @param sink the exporter
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addEventSink(NatEventSink sink) {
        events.addSink(sink);
    }

    /**
     * Unbinds an event exporter.
     *
     * @param sink the exporter going away
     */
    public void removeEventSink(NatEventSink sink) {
        events.removeSink(sink);
    }

    /**
     * Binds the Config Admin that pools and static mappings made by commands are written through.
     *
     * @param admin the service
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    public void setConfigurationAdmin(ConfigurationAdmin admin) {
        kept.configurations.setAdmin(admin);
    }

    /**
     * Unbinds the Config Admin.
     *
     * @param admin the service going away
     */
    public void unsetConfigurationAdmin(ConfigurationAdmin admin) {
        if (kept.configurations.admin() == admin) {
            kept.configurations.setAdmin(null);
        }
    }

    /**
     * Writes the events the workers recorded so far to the event log now, instead of within the logging
     * thread's next 100 ms; for tests.
     */
    public void flushEvents() {
        NatEngine e = stage.live();
        if (e != null) {
            events.drain(e);
        }
    }

    /** {@return the engine attached now, or null; for tests and benchmarks} */
    public NatEngine engine() {
        return stage.live();
    }

    // ---------------------------------------------------------------- PacketStage

    @Override
    public void attach(StageContext ctx) {
        stage.attach(ctx);
    }

    @Override
    public void process(PacketBurst burst) {
        stage.process(burst);
    }

    @Override
    public void tick(int workerId, long nanoTime) {
        stage.tick(workerId, nanoTime);
    }

    @Override
    public void detach() {
        stage.detach();
    }

    /** Attaches the engine: adopts a deposit or starts clean; {@link NatStage#attach} calls it. */
    void attachEngine(StageContext ctx) {
        synchronized (lock) {
            closeEngine();
            NatSettings s = settings;
            StateKeeper k = keeper;
            StateDeposit d = k == null ? null : k.claim(STATE_OWNER);
            NatEngine e = d == null ? null : handOver.adopt(d, ctx, s);
            if (e == null) {
                restartHolds.load();
                e = new NatEngine(ctx, s.sessionsMax(), s.hostsMax(), s.eventRing(), emptySnapshot());
                engine = e;
                poolSlots.slots = new PoolRuntime[NatSnapshot.MAX_POOLS];
                poolSlots.slotOf.clear();
                poolSlots.nextSlot = 0;
                try {
                    for (PoolDefinition p : pools.values()) {
                        poolSlots.addRuntime(p);
                    }
                } catch (RuntimeException ex) {
                    closeEngine();
                    throw ex;
                }
                if (d == null) {
                    lastHandOver = "none: nothing was handed over";
                }
            } else {
                restartHolds.discard();
            }
            publish();
            stage.live = e;
            // the pools' addresses are the NAT's: the dataplane answers ARP for them while this stage is attached
            ctx.claimAddresses(() -> PoolSlots.addressRanges(pools()));
            LOG.info("NAT attached to {} workers; hand-over: {}", ctx.workerCount(), lastHandOver);
        }
    }

    /** Deposits or closes the engine; {@link NatStage#detach} calls it once no burst runs on it. */
    void detachEngine() {
        synchronized (lock) {
            stage.live = null;
            restartHolds.save();
            if (!handOver.deposit("the dataplane detached the translator")) {
                closeEngine();
            }
            handOver.freeRefused();
        }
    }

    // ---------------------------------------------------------------- hand-over

    /** {@inheritDoc} */
    @Override
    public String lastHandOver() {
        return lastHandOver;
    }

    void closeEngine() {
        stage.live = null;
        if (engine != null) {
            events.drain(engine);
            engine.close();
            engine = null;
            poolSlots.slots = null;
            LOG.info("NAT detached; its sessions are gone");
        }
    }

    NatSnapshot emptySnapshot() {
        return snapshot(new PoolRuntime[0], new PoolRuntime[NatSnapshot.MAX_POOLS], StaticTable.EMPTY);
    }

    /** A snapshot of these pools and static mappings with the current settings. */
    private NatSnapshot snapshot(PoolRuntime[] active, PoolRuntime[] slots, StaticTable statics) {
        NatSettings s = settings;
        return NatSnapshot.of(active, slots, statics, s.timeouts(), s.otherProtocols(),
                new InsidePrefixes(s.sources().insidePrefixes()), s.sources().icmpErrorsFromQuotedDestination(),
                s.icmpAnswersPerSecond(), s.udpUnanswered(), s.refresh() == NatSettings.RefreshDirection.BOTH);
    }

    /** Publishes the definitions to the workers; under the lock. */
    void publish() {
        if (engine == null) {
            return;
        }
        List<PoolRuntime> active = new ArrayList<>();
        for (String name : pools.keySet()) {
            active.add(poolSlots.slots[poolSlots.slotOf.get(name)]);
        }
        engine.fragmentLimits(settings.fragments());
        engine.publish(snapshot(active.toArray(new PoolRuntime[0]), poolSlots.slots.clone(), new StaticTable(statics)));
    }

    // ---------------------------------------------------------------- NatAdminService

    @Override
    public void addPool(PoolDefinition pool) {
        synchronized (lock) {
            if (awaitedPools.remove(pool.name())) {
                if (pool.equals(pools.get(pool.name()))) {
                    // the configuration brings back a pool the previous translator handed over: already there
                    return;
                }
                // changed meanwhile: the handed-over one retires, its sessions live on until they end
                pools.remove(pool.name());
            }
            if (pools.containsKey(pool.name())) {
                throw new IllegalArgumentException("pool " + pool.name() + " exists already");
            }
            for (PoolDefinition other : pools.values()) {
                for (var a : pool.addresses()) {
                    for (var b : other.addresses()) {
                        if (a.overlaps(b)) {
                            throw new IllegalArgumentException("pool " + pool.name() + ": addresses " + a
                                    + " overlap " + b + " of pool " + other.name());
                        }
                    }
                }
            }
            if (engine != null) {
                int retired = poolSlots.retiredSlot(pool);
                if (retired >= 0) {
                    // the same pool again while its retired runtime still holds sessions (a configuration that
                    // went away and came back, as around an update of this bundle): its allocators go on, so no
                    // second allocator hands out the ports of the same addresses
                    poolSlots.slotOf.put(pool.name(), retired);
                } else {
                    poolSlots.addRuntime(pool);
                }
            }
            pools.put(pool.name(), pool);
            publish();
            LOG.info("NAT pool {} added: {}", pool.name(), pool.addresses());
        }
    }

    @Override
    public boolean removePool(String name) {
        synchronized (lock) {
            awaitedPools.remove(name);
            if (pools.remove(name) == null) {
                return false;
            }
            publish();
            LOG.info("NAT pool {} removed; its sessions live on until they end", name);
            return true;
        }
    }

    @Override
    public void addStaticMapping(StaticMapping mapping) {
        mappings.add(mapping);
    }

    @Override
    public boolean removeStaticMapping(Protocol protocol, Endpoint global) {
        return mappings.remove(protocol, global);
    }

    @Override
    public String configureStaticMapping(String configuration, StaticMapping mapping) {
        return mappings.configure(configuration, mapping);
    }

    @Override
    public boolean unconfigureStaticMapping(String configuration) {
        return mappings.unconfigure(configuration);
    }

    @Override
    public void savePool(PoolDefinition pool) {
        kept.savePool(pool);
    }

    @Override
    public boolean deletePool(String name) {
        return kept.deletePool(name);
    }

    @Override
    public void saveStaticMapping(StaticMapping mapping) {
        kept.saveStaticMapping(mapping);
    }

    @Override
    public boolean deleteStaticMapping(Protocol protocol, Endpoint global) {
        return kept.deleteStaticMapping(protocol, global);
    }

    @Override
    public void setTimeouts(Timeouts timeouts) {
        synchronized (lock) {
            settings = settings.withTimeouts(timeouts);
            publish();
        }
    }

    @Override
    public int clearSessions(SessionFilter filter) {
        return sessionRequests.clear(filter);
    }

    // ---------------------------------------------------------------- NatService

    @Override
    public List<PoolDefinition> pools() {
        synchronized (lock) {
            return List.copyOf(pools.values());
        }
    }

    @Override
    public List<PoolUsage> poolUsage() {
        return poolSlots.poolUsage();
    }

    @Override
    public List<PortUsage> portUsage(String pool) {
        return poolSlots.portUsage(pool);
    }

    @Override
    public List<DeterministicMapping> deterministicLookup(int outside, int port) {
        return poolSlots.deterministicLookup(outside, port);
    }

    @Override
    public List<DeterministicMapping> deterministicBlock(int inside) {
        return poolSlots.deterministicBlock(inside);
    }

    @Override
    public NatCounters counters() {
        NatEngine e = stage.live();
        long[] sum = new long[CounterIndex.ADOPTED];
        long active = 0;
        long[] byState = new long[TcpStateCodes.COUNT];
        if (e != null) {
            for (int w = 0; w < e.workers(); w++) {
                NatWorker nw = e.worker(w);
                for (int k = 0; k < sum.length; k++) {
                    sum[k] += nw.counter(k);
                }
                active += nw.sessions();
                for (int st = 1; st < byState.length; st++) {
                    byState[st] += nw.sessionsInState(st);
                }
            }
        }
        Map<TcpState, Long> tcpStates = new EnumMap<>(TcpState.class);
        for (int st = 1; st < byState.length; st++) {
            tcpStates.put(TcpStateCodes.toState(st), Math.max(0, byState[st]));
        }
        Map<String, Long> drops = new LinkedHashMap<>();
        for (int d = 0; d < Drops.COUNT; d++) {
            drops.put(Drops.name(d), sum[CounterIndex.DROPS + d]);
        }
        return new NatCounters(sum[CounterIndex.CREATED], sum[CounterIndex.DELETED], active, sum[CounterIndex.IN2OUT],
                sum[CounterIndex.OUT2IN], sum[CounterIndex.EXHAUSTED], sum[CounterIndex.QUOTA],
                sum[CounterIndex.HANDOFFS], 0, drops, tcpStates);
    }

    @Override
    public List<FragmentUsage> fragmentUsage() {
        NatEngine e = stage.live();
        if (e == null) {
            return List.of();
        }
        List<FragmentUsage> out = new ArrayList<>(e.workers());
        for (int w = 0; w < e.workers(); w++) {
            NatWorker nw = e.worker(w);
            out.add(new FragmentUsage(w, nw.fragmentStates(), nw.fragmentsHeld(), nw.fragmentBytes()));
        }
        return out;
    }

    @Override
    public long sessionCount() {
        NatEngine e = stage.live();
        long n = 0;
        if (e != null) {
            for (int w = 0; w < e.workers(); w++) {
                n += e.worker(w).sessions();
            }
        }
        return n;
    }

    @Override
    public List<SessionInfo> sessions(SessionFilter filter, int limit) {
        return sessionRequests.list(filter, limit);
    }

    @Override
    public List<StaticMapping> staticMappings() {
        synchronized (lock) {
            return List.copyOf(statics);
        }
    }

    @Override
    public List<StaticMappingEntry> staticMappingEntries() {
        return mappings.entries();
    }

    @Override
    public Timeouts timeouts() {
        return settings.timeouts();
    }

    @Override
    public OtherProtocolPolicy otherProtocolPolicy() {
        return settings.otherProtocols();
    }

}
