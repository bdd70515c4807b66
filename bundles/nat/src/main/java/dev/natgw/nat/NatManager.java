package dev.natgw.nat;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.StageContext;
import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.NatEvents;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.PortUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.TcpState;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.api.state.StateDeposit;
import dev.natgw.api.state.StateKeeper;
import dev.natgw.nat.fastpath.EventRing;
import dev.natgw.nat.fastpath.NatEngine;
import dev.natgw.nat.fastpath.NatSnapshot;
import dev.natgw.nat.fastpath.NatWorker;
import dev.natgw.nat.fastpath.PoolRuntime;
import dev.natgw.nat.fastpath.SessionTable;
import dev.natgw.nat.fastpath.StaticTable;
import dev.natgw.nat.fastpath.WorkerRequest;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.handover.Descriptors;
import dev.natgw.nat.handover.Drops;
import dev.natgw.nat.handover.HandOverFormat;
import dev.natgw.nat.handover.SessionRow;
import dev.natgw.nat.handover.TcpStateCodes;
import dev.natgw.nat.internal.NatConfig;
import dev.natgw.nat.internal.NatSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
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
 * Hand-over: the session tables are off-heap. When the component deactivates (bundle stop or update) or the
 * dataplane detaches the stage, the tables, the pools they were made from and the static mappings are
 * deposited with the {@link StateKeeper} (if there is one) instead of freed; the old engine keeps translating
 * on them until the dataplane detaches it, and its detach frees nothing. The next {@link #attach} claims the
 * deposit and adopts the tables if the layout, the workers, the RSS configuration, the sizes and the pools
 * match, or refuses them (WARN naming the mismatch), frees them and starts clean; {@link #lastHandOver()} says
 * which. Adoption only reads the memory's immutable header fields, because the old stage may still run on it
 * until the dataplane swaps the stages between two bursts; the old stage's detach frees nothing. Memory refused
 * while the old stage may still run on it is freed once every worker has run the new engine.
 */
@Component(service = {NatService.class, NatAdminService.class,
        PacketStage.class}, configurationPid = NatManager.PID, property = {PacketStage.STAGE_NAME + "=nat",
                PacketStage.STAGE_ORDER + ":Integer=500"})
@Designate(ocd = NatConfig.class)
public final class NatManager implements NatAdminService, PacketStage {
    /** The configuration PID. */
    public static final String PID = "dev.natgw.nat";

    private static final Logger LOG = LoggerFactory.getLogger(NatManager.class);
    private static final Logger EVENTS = LoggerFactory.getLogger(NatEvents.LOGGER_NAME);
    /** How long the control plane waits for a worker to answer a request. */
    private static final long ANSWER_MILLIS = 5_000;

    private final Object lock = new Object();
    private final Object requestLock = new Object();
    private final LinkedHashMap<String, PoolDefinition> pools = new LinkedHashMap<>();
    private final List<StaticMapping> statics = new ArrayList<>();
    private final Map<String, Integer> slotOf = new HashMap<>();
    private volatile NatSettings settings;
    private volatile NatEngine live;
    private NatEngine engine;
    private PoolRuntime[] slots;
    private int nextSlot;
    private volatile LongSupplier clock = System::nanoTime;
    private volatile Consumer<String> eventLines = EVENTS::info;
    private final Thread eventThread;
    private volatile boolean running = true;
    /** The owner name of the NAT's deposits. */
    public static final String STATE_OWNER = HandOverFormat.STATE_OWNER;
    private final String instance = UUID.randomUUID().toString();
    private volatile StateKeeper keeper;
    private volatile String lastHandOver = "none: nothing was handed over";
    /** Pools restored from a deposit that a configuration may add again; adding one unchanged is a no-op. */
    private final Set<String> adoptedPools = new HashSet<>();
    /** A refused deposit, freed by {@link #freeRefused()}; under the lock. */
    private StateDeposit refused;

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
        this.eventThread = Thread.ofPlatform().name("natgw-nat-events").daemon().unstarted(this::drainEvents);
        eventThread.start();
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
        running = false;
        LockSupport.unpark(eventThread);
        try {
            eventThread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            // deposited: the dataplane may run the old stage on the tables until the new one replaces it
            if (!deposit("the translator stops")) {
                closeEngine();
            }
            freeRefused();
        }
        LOG.info("NAT translator stopped");
    }

    /**
     * Replaces the clock {@link #process} reads; tests drive time by hand with it.
     *
     * @param nanoClock returns nanoseconds like {@link System#nanoTime()}
     */
    public void setClock(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    /**
     * Sends the NAT event log's lines somewhere else than the {@value NatEvents#LOGGER_NAME} logger; for
     * tests.
     *
     * @param lines receives each line, on the logging thread
     */
    public void setEventLines(Consumer<String> lines) {
        this.eventLines = lines;
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
     * Writes the events the workers recorded so far to the event log now, instead of within the logging
     * thread's next 100 ms; for tests.
     */
    public void flushEvents() {
        NatEngine e = live;
        if (e != null) {
            drainOnce(e);
        }
    }

    /** {@return the engine attached now, or null; for tests and benchmarks} */
    public NatEngine engine() {
        return live;
    }

    // ---------------------------------------------------------------- PacketStage

    @Override
    public void attach(StageContext ctx) {
        synchronized (lock) {
            closeEngine();
            NatSettings s = settings;
            StateKeeper k = keeper;
            StateDeposit d = k == null ? null : k.claim(STATE_OWNER);
            NatEngine e = d == null ? null : adopt(d, ctx, s);
            if (e == null) {
                e = new NatEngine(ctx, s.sessionsMax(), s.hostsMax(), s.eventRing(), emptySnapshot());
                engine = e;
                slots = new PoolRuntime[NatSnapshot.MAX_POOLS];
                slotOf.clear();
                nextSlot = 0;
                try {
                    for (PoolDefinition p : pools.values()) {
                        addRuntime(p);
                    }
                } catch (RuntimeException ex) {
                    closeEngine();
                    throw ex;
                }
                if (d == null) {
                    lastHandOver = "none: nothing was handed over";
                }
            }
            publish();
            live = e;
            LOG.info("NAT attached to {} workers; hand-over: {}", ctx.workerCount(), lastHandOver);
        }
    }

    @Override
    public void process(PacketBurst burst) {
        NatEngine e = live;
        if (e != null) {
            e.worker(burst.workerId()).process(burst, clock.getAsLong());
        }
    }

    @Override
    public void tick(int workerId, long nanoTime) {
        NatEngine e = live;
        if (e != null) {
            e.worker(workerId).tick(nanoTime);
        }
    }

    @Override
    public void detach() {
        synchronized (lock) {
            live = null;
            if (!deposit("the dataplane detached the translator")) {
                closeEngine();
            }
            freeRefused();
        }
    }

    // ---------------------------------------------------------------- hand-over

    /** {@inheritDoc} */
    @Override
    public String lastHandOver() {
        return lastHandOver;
    }

    /**
     * Deposits the engine's tables with the keeper, with what the next revision needs to check and use them;
     * under the lock. The engine stays live: the workers may run on the tables until the stage is detached.
     *
     * @return false, depositing nothing, without an engine or a keeper
     */
    private boolean deposit(String why) {
        StateKeeper k = keeper;
        NatEngine e = engine;
        if (e == null || k == null) {
            return false;
        }
        drainOnce(e);
        Map<String, Object> desc = new HashMap<>();
        desc.put(HandOverFormat.D_INSTANCE, instance);
        desc.put(HandOverFormat.D_WORKERS, e.workers());
        desc.put(HandOverFormat.D_CAPACITY, e.worker(0).capacity());
        desc.put(HandOverFormat.D_HOSTS, settings.hostsMax());
        desc.put(HandOverFormat.D_RSS, e.rssFingerprint());
        List<PoolDefinition> bySlot = new ArrayList<>();
        for (int i = 0; i < nextSlot; i++) {
            bySlot.add(slots[i].definition());
        }
        // JDK types only: after an update of the API bundle the next translator has other API classes
        desc.put(HandOverFormat.D_POOLS, Descriptors.pools(bySlot));
        desc.put(HandOverFormat.D_ACTIVE, List.copyOf(pools.keySet()));
        desc.put(HandOverFormat.D_STATICS, Descriptors.statics(statics));
        List<Arena> arenas = new ArrayList<>();
        Map<String, MemorySegment> segs = e.handOver(arenas);
        for (int i = 0; i < nextSlot; i++) {
            slots[i].handOver(segs);
        }
        long sessions = 0;
        for (int w = 0; w < e.workers(); w++) {
            sessions += e.worker(w).sessions();
        }
        k.deposit(new StateDeposit(STATE_OWNER, HandOverFormat.LAYOUT_VERSION, desc, segs, arenas));
        // the tables are the keeper's now: closing the engine frees only its heap objects
        engine = null;
        slots = null;
        LOG.info("NAT deposited {} sessions for the next translator: {}", sessions, why);
        return true;
    }

    /**
     * Adopts a deposit or refuses it; under the lock. On success the engine, slots and pools are set up and the
     * engine is returned; on refusal the deposit's memory is freed and null is returned.
     */
    private NatEngine adopt(StateDeposit d, StageContext ctx, NatSettings s) {
        String why;
        try {
            why = mismatch(d, ctx, s);
        } catch (RuntimeException ex) {
            why = "descriptor unreadable (" + ex + ")";
        }
        if (why == null) {
            try {
                return adoptChecked(d, ctx, s);
            } catch (RuntimeException ex) {
                closeEngine();
                why = ex.getMessage();
            }
        }
        lastHandOver = "refused: " + why + "; started clean";
        LOG.warn("NAT refuses the previous translator's sessions: {}; their {} bytes are freed once every worker "
                + "runs this translator; starting clean", why, d.bytes());
        freeRefused();
        refused = d;
        return null;
    }

    /**
     * Frees refused memory once no worker can run the previous stage on it any more: when every worker has run
     * the engine attached since (the dataplane swaps stages between bursts), or when there is no engine.
     */
    private void freeRefused() {
        StateDeposit d = refused;
        if (d == null) {
            return;
        }
        NatEngine e = engine;
        for (int w = 0; e != null && w < e.workers(); w++) {
            if (!e.worker(w).started()) {
                return;
            }
        }
        refused = null;
        LOG.info("NAT freed the refused hand-over: {} arenas", d.close());
    }

    @SuppressWarnings("unchecked")
    private String mismatch(StateDeposit d, StageContext ctx, NatSettings s) {
        Map<String, Object> desc = d.descriptor();
        if (d.layoutVersion() != HandOverFormat.LAYOUT_VERSION) {
            return "layout " + d.layoutVersion() + " != " + HandOverFormat.LAYOUT_VERSION;
        }
        int workers = (Integer) desc.get(HandOverFormat.D_WORKERS);
        if (workers != ctx.workerCount()) {
            return "workers " + workers + " != " + ctx.workerCount();
        }
        int capacity = (Integer) desc.get(HandOverFormat.D_CAPACITY);
        int each = (int) Math.max(1, ((long) s.sessionsMax() + workers - 1) / workers);
        if (capacity != each) {
            return "sessions per worker " + capacity + " != " + each + " (sessions.max " + s.sessionsMax() + ")";
        }
        int hosts = (Integer) desc.get(HandOverFormat.D_HOSTS);
        if (hosts != s.hostsMax()) {
            return "hosts.max " + hosts + " != " + s.hostsMax();
        }
        if (!desc.get(HandOverFormat.D_RSS).equals(NatEngine.rssFingerprint(ctx))) {
            return "RSS configuration (key, redirection table or queues) changed";
        }
        List<PoolDefinition> bySlot = Descriptors.pools(desc.get(HandOverFormat.D_POOLS));
        for (String name : (List<String>) desc.get(HandOverFormat.D_ACTIVE)) {
            PoolDefinition now = pools.get(name);
            PoolDefinition then = lastByName(bySlot, name);
            if (now != null && then != null && !now.equals(then)) {
                return "pool " + name + " changed: " + then + " != " + now;
            }
        }
        return null;
    }

    private static PoolDefinition lastByName(List<PoolDefinition> bySlot, String name) {
        for (int i = bySlot.size() - 1; i >= 0; i--) {
            if (bySlot.get(i).name().equals(name)) {
                return bySlot.get(i);
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private NatEngine adoptChecked(StateDeposit d, StageContext ctx, NatSettings s) {
        Map<String, Object> desc = d.descriptor();
        boolean mine = instance.equals(desc.get(HandOverFormat.D_INSTANCE));
        List<PoolDefinition> bySlot = Descriptors.pools(desc.get(HandOverFormat.D_POOLS));
        List<StaticMapping> staticsThen = Descriptors.statics(desc.get(HandOverFormat.D_STATICS));
        if (!mine) {
            // a new revision: the previous one's static mappings and pools (also those added by commands) go on
            if (statics.isEmpty()) {
                statics.addAll(staticsThen);
            }
            for (String name : (List<String>) desc.get(HandOverFormat.D_ACTIVE)) {
                if (!pools.containsKey(name)) {
                    pools.put(name, lastByName(bySlot, name));
                    adoptedPools.add(name);
                }
            }
        }
        SessionTable[] tables = NatEngine.adoptTables(d.segments(), d.arenas());
        NatEngine e = new NatEngine(ctx, tables, s.eventRing(), emptySnapshot());
        engine = e;
        slots = new PoolRuntime[NatSnapshot.MAX_POOLS];
        slotOf.clear();
        nextSlot = 0;
        // the sessions name their pools by slot: the deposited pools take the same slots again
        List<Integer> handedOverSlots = new ArrayList<>();
        for (PoolDefinition p : bySlot) {
            if (d.segments().containsKey(PoolRuntime.memoryName(0, nextSlot))) {
                handedOverSlots.add(nextSlot);
            }
            addRuntime(p, d.segments());
        }
        e.startPortChanges(staticChanges(staticsThen, handedOverSlots));
        for (PoolDefinition p : pools.values()) {
            Integer at = slotOf.get(p.name());
            if (at == null || !slots[at].definition().equals(p)) {
                addRuntime(p);
            }
        }
        long sessions = 0;
        for (SessionTable t : tables) {
            sessions += t.size();
        }
        lastHandOver = "adopted " + sessions + " sessions (layout " + d.layoutVersion() + ", " + tables.length
                + " workers)";
        LOG.info("NAT {}", lastHandOver);
        return e;
    }

    /**
     * The static ports the workers must reserve or unreserve in handed-over allocators, which hold the deposit's
     * static mappings reserved: the mappings added since (while detached, or by the new revision's configuration)
     * and those removed; unreservations first, so a mapping moved to another inside endpoint stays reserved. Rows as
     * {@link NatEngine#startPortChanges} takes them; under the lock.
     */
    private int[] staticChanges(List<StaticMapping> then, List<Integer> handedOverSlots) {
        List<int[]> rows = new ArrayList<>();
        for (StaticMapping m : then) {
            if (!statics.contains(m)) {
                portChanges(WorkerRequest.UNRESERVE, m, handedOverSlots, rows);
            }
        }
        for (StaticMapping m : statics) {
            if (!then.contains(m)) {
                portChanges(WorkerRequest.RESERVE, m, handedOverSlots, rows);
            }
        }
        int[] out = new int[5 * rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, out, 5 * i, 5);
        }
        return out;
    }

    private void portChanges(int kind, StaticMapping m, List<Integer> inSlots, List<int[]> rows) {
        for (int slot : inSlots) {
            PoolDefinition p = slots[slot].definition();
            int addrIndex = addressIndex(p, m.global().address());
            int port = m.global().port();
            if (addrIndex >= 0 && port >= p.portMin() && port <= p.portMax()) {
                rows.add(new int[]{kind, m.protocol().number(), slot, addrIndex, port});
            }
        }
    }

    private void closeEngine() {
        live = null;
        if (engine != null) {
            drainOnce(engine);
            engine.close();
            engine = null;
            slots = null;
            LOG.info("NAT detached; its sessions are gone");
        }
    }

    private NatSnapshot emptySnapshot() {
        return NatSnapshot.of(new PoolRuntime[0], new PoolRuntime[NatSnapshot.MAX_POOLS], StaticTable.EMPTY,
                settings.timeouts(), settings.otherProtocols());
    }

    /** {@return the newest slot whose runtime has exactly this definition and serves no active pool, or -1} */
    private int retiredSlot(PoolDefinition p) {
        for (int i = nextSlot - 1; i >= 0; i--) {
            if (slots[i] != null && slots[i].definition().equals(p) && !servesActivePool(i)) {
                return i;
            }
        }
        return -1;
    }

    private boolean servesActivePool(int slot) {
        for (String name : pools.keySet()) {
            Integer at = slotOf.get(name);
            if (at != null && at == slot) {
                return true;
            }
        }
        return false;
    }

    /** Builds a pool's runtime, reserving the ports of static mappings on its addresses; under the lock. */
    private void addRuntime(PoolDefinition p) {
        addRuntime(p, Map.of());
    }

    /**
     * Builds a pool's runtime on handed-over allocators where there are some (whose static ports are reserved
     * already, and which the previous translator may still be using, so they are not written here); under the lock.
     */
    private void addRuntime(PoolDefinition p, Map<String, MemorySegment> handedOver) {
        if (nextSlot >= NatSnapshot.MAX_POOLS) {
            throw new IllegalArgumentException("pool " + p.name() + ": " + NatSnapshot.MAX_POOLS
                    + " pools were added since the dataplane attached the translator; no slot is left");
        }
        NatSettings s = settings;
        PoolRuntime r = new PoolRuntime(nextSlot, p, engine, s.holdDown().toNanos(),
                Math.max(1024, s.holdCapacity() / engine.workers()), handedOver);
        // not yet published, so the control thread may still touch new allocators directly
        for (StaticMapping sm : handedOver.containsKey(PoolRuntime.memoryName(0, nextSlot))
                ? List.<StaticMapping>of()
                : statics) {
            int addrIndex = addressIndex(p, sm.global().address());
            if (addrIndex >= 0) {
                for (int w = 0; w < engine.workers(); w++) {
                    r.allocator(w).reserve(sm.protocol().number(), addrIndex, sm.global().port());
                }
            }
        }
        slots[nextSlot] = r;
        slotOf.put(p.name(), nextSlot);
        nextSlot++;
    }

    private static int addressIndex(PoolDefinition p, int address) {
        int base = 0;
        for (var range : p.addresses()) {
            if (range.contains(address)) {
                return base + (int) (Integer.toUnsignedLong(address) - Integer.toUnsignedLong(range.first()));
            }
            base += (int) range.size();
        }
        return -1;
    }

    /** Publishes the definitions to the workers; under the lock. */
    private void publish() {
        if (engine == null) {
            return;
        }
        List<PoolRuntime> active = new ArrayList<>();
        for (String name : pools.keySet()) {
            active.add(slots[slotOf.get(name)]);
        }
        NatSettings s = settings;
        engine.publish(NatSnapshot.of(active.toArray(new PoolRuntime[0]), slots.clone(), new StaticTable(statics),
                s.timeouts(), s.otherProtocols()));
    }

    // ---------------------------------------------------------------- NatAdminService

    @Override
    public void addPool(PoolDefinition pool) {
        synchronized (lock) {
            if (adoptedPools.remove(pool.name())) {
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
                int retired = retiredSlot(pool);
                if (retired >= 0) {
                    // the same pool again while its retired runtime still holds sessions (a configuration that
                    // went away and came back, as around an update of this bundle): its allocators go on, so no
                    // second allocator hands out the ports of the same addresses
                    slotOf.put(pool.name(), retired);
                } else {
                    addRuntime(pool);
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
            adoptedPools.remove(name);
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
        synchronized (lock) {
            for (StaticMapping s : statics) {
                if (s.protocol() == mapping.protocol()
                        && (s.global().equals(mapping.global()) || s.inside().equals(mapping.inside()))) {
                    throw new IllegalArgumentException("static mapping " + describe(mapping) + " clashes with "
                            + describe(s));
                }
            }
            portRequest(WorkerRequest.RESERVE, mapping);
            statics.add(mapping);
            publish();
        }
    }

    @Override
    public boolean removeStaticMapping(Protocol protocol, Endpoint global) {
        synchronized (lock) {
            for (int i = 0; i < statics.size(); i++) {
                StaticMapping s = statics.get(i);
                if (s.protocol() == protocol && s.global().equals(global)) {
                    statics.remove(i);
                    publish();
                    portRequest(WorkerRequest.UNRESERVE, s);
                    return true;
                }
            }
            return false;
        }
    }

    /** Asks the worker owning a static mapping's global port in a pool to (un)reserve it; under the lock. */
    private void portRequest(int kind, StaticMapping m) {
        if (engine == null) {
            return;
        }
        for (Map.Entry<String, Integer> e : slotOf.entrySet()) {
            PoolRuntime r = slots[e.getValue()];
            int addrIndex = addressIndex(r.definition(), m.global().address());
            int port = m.global().port();
            if (addrIndex < 0 || port < r.definition().portMin() || port > r.definition().portMax()) {
                continue;
            }
            for (int w = 0; w < engine.workers(); w++) {
                // only the owner holds the port; the others answer false at once
                ask(w, WorkerRequest.port(kind, m.protocol().number(), e.getValue(), addrIndex, port));
            }
        }
    }

    private static String describe(StaticMapping m) {
        return m.protocol() + " " + m.global() + " -> " + m.inside();
    }

    @Override
    public void setTimeouts(Timeouts timeouts) {
        synchronized (lock) {
            NatSettings s = settings;
            settings = new NatSettings(timeouts, s.sessionsMax(), s.hostsMax(), s.holdDown(), s.holdCapacity(),
                    s.otherProtocols(), s.eventLog(), s.eventRing());
            publish();
        }
    }

    @Override
    public int clearSessions(SessionFilter filter) {
        NatEngine e = live;
        if (e == null) {
            return 0;
        }
        int total = 0;
        for (int w = 0; w < e.workers(); w++) {
            WorkerRequest r = request(WorkerRequest.CLEAR, filter, Integer.MAX_VALUE);
            if (r == null) {
                return total;
            }
            askOn(e, w, r);
            total += r.count();
        }
        return total;
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
        synchronized (lock) {
            List<PoolUsage> out = new ArrayList<>();
            for (PoolDefinition p : pools.values()) {
                PoolRuntime r = engine == null ? null : slots[slotOf.get(p.name())];
                long total = 3L * p.addressCount() * (p.portMax() - p.portMin() + 1);
                long inUse = r == null ? 0 : Math.min(total, r.portsInUse());
                // read after inUse: a pair leaving hold-down then lowers both, so held stays within inUse
                long held = r == null ? 0 : Math.min(inUse, r.portsHeld());
                long[] bySlot = new long[3];
                if (r != null) {
                    for (int w = 0; w < engine.workers(); w++) {
                        for (int k = 0; k < 3; k++) {
                            bySlot[k] += engine.worker(w).counter(CounterIndex.POOLS + 3 * r.slot() + k);
                        }
                    }
                }
                out.add(new PoolUsage(p.name(), p.addressCount(), total, inUse, Math.max(0, bySlot[0]),
                        Math.max(0, bySlot[1]), Math.max(0, bySlot[2]), held));
            }
            return out;
        }
    }

    @Override
    public List<PortUsage> portUsage(String pool) {
        synchronized (lock) {
            Integer slot = slotOf.get(pool);
            List<PortUsage> out = new ArrayList<>();
            if (engine == null || slot == null || !pools.containsKey(pool)) {
                return out;
            }
            PoolRuntime r = slots[slot];
            int[] addrs = r.addresses();
            for (int a = 0; a < addrs.length; a++) {
                for (int w = 0; w < engine.workers(); w++) {
                    var alloc = r.allocator(w);
                    long total = alloc.ownedPerAddress();
                    long busy = Math.min(total, alloc.busy(a));
                    out.add(new PortUsage(pool, addrs[a], w, total, busy, Math.min(busy, alloc.held(a))));
                }
            }
            return out;
        }
    }

    @Override
    public NatCounters counters() {
        NatEngine e = live;
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
    public long sessionCount() {
        NatEngine e = live;
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
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        NatEngine e = live;
        List<SessionInfo> out = new ArrayList<>();
        if (e == null) {
            return out;
        }
        String[] names = slotNames();
        for (int w = 0; w < e.workers() && out.size() < limit; w++) {
            WorkerRequest r = request(WorkerRequest.LIST, filter, limit - out.size());
            if (r == null) {
                break;
            }
            askOn(e, w, r);
            for (int k = 0; k < r.count(); k++) {
                Protocol proto = Protocol.ofNumber((int) r.field(k, SessionRow.PROTOCOL));
                int slot = (int) r.field(k, SessionRow.POOL_SLOT);
                long idle = r.field(k, SessionRow.IDLE_NANOS);
                out.add(new SessionInfo(proto,
                        new Endpoint((int) r.field(k, SessionRow.INSIDE_ADDR),
                                (int) r.field(k, SessionRow.INSIDE_PORT)),
                        new Endpoint((int) r.field(k, SessionRow.OUTSIDE_ADDR),
                                (int) r.field(k, SessionRow.OUTSIDE_PORT)),
                        new Endpoint((int) r.field(k, SessionRow.REMOTE_ADDR),
                                (int) r.field(k, SessionRow.REMOTE_PORT)),
                        proto == Protocol.TCP
                                ? TcpStateCodes.toState((int) r.field(k, SessionRow.STATE))
                                : TcpState.NONE,
                        idle / 1_000_000, (int) r.field(k, SessionRow.WORKER),
                        slot == NatSnapshot.STATIC_SLOT ? null : names[slot],
                        Math.max(idle, r.field(k, SessionRow.AGE_NANOS)) / 1_000_000));
            }
        }
        return out;
    }

    private String[] slotNames() {
        synchronized (lock) {
            String[] names = new String[NatSnapshot.MAX_POOLS + 1];
            if (slots != null) {
                for (int i = 0; i < slots.length; i++) {
                    if (slots[i] != null) {
                        names[i] = slots[i].definition().name();
                    }
                }
            }
            return names;
        }
    }

    /** Makes a LIST or CLEAR request from a filter; null when the filter names a pool that does not exist. */
    private WorkerRequest request(int kind, SessionFilter filter, int limit) {
        int slot = -1;
        if (filter.pool() != null) {
            synchronized (lock) {
                Integer s = slotOf.get(filter.pool());
                if (s == null) {
                    return null;
                }
                slot = s;
            }
        }
        int proto = filter.protocol() == null ? 0 : filter.protocol().number();
        int rows = kind == WorkerRequest.LIST ? Math.min(limit, 1_000_000) : limit;
        return WorkerRequest.sessions(kind, proto, filter.insideAddress(), filter.remoteAddress(), slot, rows);
    }

    @Override
    public List<StaticMapping> staticMappings() {
        synchronized (lock) {
            return List.copyOf(statics);
        }
    }

    @Override
    public Timeouts timeouts() {
        return settings.timeouts();
    }

    @Override
    public OtherProtocolPolicy otherProtocolPolicy() {
        return settings.otherProtocols();
    }

    // ---------------------------------------------------------------- worker requests

    private void ask(int w, WorkerRequest r) {
        askOn(engine, w, r);
    }

    private void askOn(NatEngine e, int w, WorkerRequest r) {
        synchronized (requestLock) {
            long deadline = System.nanoTime() + ANSWER_MILLIS * 1_000_000;
            try {
                while (!e.post(w, r)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("NAT worker " + w + " has not taken the previous request");
                    }
                    Thread.onSpinWait();
                    LockSupport.parkNanos(100_000);
                }
                if (!r.await(ANSWER_MILLIS)) {
                    e.withdraw(w, r);
                    throw new IllegalStateException("NAT worker " + w + " did not answer within " + ANSWER_MILLIS
                            + " ms; is the dataplane running?");
                }
            } catch (InterruptedException ex) {
                e.withdraw(w, r);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for NAT worker " + w, ex);
            }
        }
    }

    // ---------------------------------------------------------------- event log

    private void drainEvents() {
        while (running) {
            NatEngine e = live;
            if (e != null) {
                drainOnce(e);
            }
            synchronized (lock) {
                freeRefused();
            }
            LockSupport.parkNanos(100_000_000L);
        }
    }

    private void drainOnce(NatEngine e) {
        for (int w = 0; w < e.workers(); w++) {
            EventRing ring = e.worker(w).events();
            synchronized (ring) {
                // the detach path and the logging thread may both drain; the ring has one consumer at a time
                ring.drain(this::logEvent, 65_536);
            }
        }
    }

    private void logEvent(int type, int proto, int slot, int inAddr, int inPort, int outAddr, int outPort,
            long epochMillis) {
        Consumer<String> out = eventLines;
        if (!settings.eventLog()) {
            return;
        }
        String what = switch (type) {
            case EventRing.CREATED -> "mapping-created";
            case EventRing.DELETED -> "mapping-deleted";
            case EventRing.REFUSED_EXHAUSTED -> "refused-exhausted";
            default -> "refused-quota";
        };
        String p = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 1 ? "icmp" : "proto-" + proto;
        // RFC 6888 REQ-12: inside and outside endpoints and the time, never the remote
        out.accept(Instant.ofEpochMilli(epochMillis) + " " + what + " " + p + " inside=" + Ipv4.format(inAddr) + ":"
                + inPort + " outside=" + Ipv4.format(outAddr) + ":" + outPort);
    }
}
