package dev.natgw.nat;

import dev.natgw.api.dataplane.StageContext;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.state.StateDeposit;
import dev.natgw.api.state.StateKeeper;
import dev.natgw.nat.fastpath.NatEngine;
import dev.natgw.nat.fastpath.NatSnapshot;
import dev.natgw.nat.fastpath.PoolRuntime;
import dev.natgw.nat.fastpath.SessionTable;
import dev.natgw.nat.fastpath.WorkerRequest;
import dev.natgw.nat.handover.Descriptors;
import dev.natgw.nat.handover.HandOverFormat;
import dev.natgw.nat.internal.NatSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NAT's side of a hand-over, in the format of {@code handover/}: deposits the engine's tables, allocators, pools
 * and static mappings with the {@link StateKeeper} when the translator stops or is detached, and on attach adopts a
 * deposit, or refuses it by name, frees it once no worker can run the previous stage on it, and starts clean. It
 * works on its {@link NatManager}'s state, always under the manager's lock. It lives beside the manager rather than
 * in {@code handover/} because it drives the fast-path engine, which itself reads the format from there.
 *
 * <p>
 * Adoption only reads the memory's immutable header fields, because the old stage may still run on it until the
 * dataplane swaps the stages between two bursts; the old stage's detach frees nothing. See
 * {@code docs/design/handover.md} for the refusal cases.
 */
final class NatHandOver {
    // the manager's logger, so the operator's WARN on a refusal keeps its name
    private static final Logger LOG = LoggerFactory.getLogger(NatManager.class);

    private final NatManager m;
    /** A refused deposit, freed by {@link #freeRefused()}; under the lock. */
    private StateDeposit refused;

    NatHandOver(NatManager m) {
        this.m = m;
    }

    /**
     * Deposits the engine's tables with the keeper, with what the next revision needs to check and use them;
     * under the lock. The engine stays live: the workers may run on the tables until the stage is detached.
     *
     * @return false, depositing nothing, without an engine or a keeper
     */
    boolean deposit(String why) {
        StateKeeper k = m.keeper;
        NatEngine e = m.engine;
        if (e == null || k == null) {
            return false;
        }
        m.events.drain(e);
        Map<String, Object> desc = new HashMap<>();
        desc.put(HandOverFormat.D_INSTANCE, m.instance);
        desc.put(HandOverFormat.D_WORKERS, e.workers());
        desc.put(HandOverFormat.D_CAPACITY, e.worker(0).capacity());
        desc.put(HandOverFormat.D_HOSTS, m.settings.hostsMax());
        desc.put(HandOverFormat.D_RSS, e.rssFingerprint());
        List<PoolDefinition> bySlot = new ArrayList<>();
        for (int i = 0; i < m.poolSlots.nextSlot; i++) {
            bySlot.add(m.poolSlots.slots[i].definition());
        }
        // JDK types only: after an update of the API bundle the next translator has other API classes
        desc.put(HandOverFormat.D_POOLS, Descriptors.pools(bySlot));
        desc.put(HandOverFormat.D_ACTIVE, List.copyOf(m.pools.keySet()));
        desc.put(HandOverFormat.D_STATICS, Descriptors.statics(m.statics));
        List<Arena> arenas = new ArrayList<>();
        Map<String, MemorySegment> segs = e.handOver(arenas);
        for (int i = 0; i < m.poolSlots.nextSlot; i++) {
            m.poolSlots.slots[i].handOver(segs);
        }
        long sessions = 0;
        for (int w = 0; w < e.workers(); w++) {
            sessions += e.worker(w).sessions();
        }
        k.deposit(new StateDeposit(HandOverFormat.STATE_OWNER, HandOverFormat.LAYOUT_VERSION, desc, segs, arenas));
        // the tables are the keeper's now: closing the engine frees only its heap objects
        m.engine = null;
        m.poolSlots.slots = null;
        LOG.info("NAT deposited {} sessions for the next translator: {}", sessions, why);
        return true;
    }

    /**
     * Adopts a deposit or refuses it; under the lock. On success the engine, slots and pools are set up and the
     * engine is returned; on refusal the deposit's memory is freed and null is returned.
     */
    NatEngine adopt(StateDeposit d, StageContext ctx, NatSettings s) {
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
                m.closeEngine();
                why = ex.getMessage();
            }
        }
        m.lastHandOver = "refused: " + why + "; started clean";
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
    void freeRefused() {
        StateDeposit d = refused;
        if (d == null) {
            return;
        }
        NatEngine e = m.engine;
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
            PoolDefinition now = m.pools.get(name);
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
        boolean mine = m.instance.equals(desc.get(HandOverFormat.D_INSTANCE));
        List<PoolDefinition> bySlot = Descriptors.pools(desc.get(HandOverFormat.D_POOLS));
        List<StaticMapping> staticsThen = Descriptors.statics(desc.get(HandOverFormat.D_STATICS));
        if (!mine) {
            // a new revision: the previous one's static mappings and pools (also those added by commands) go on
            if (m.statics.isEmpty()) {
                m.statics.addAll(staticsThen);
            }
            for (String name : (List<String>) desc.get(HandOverFormat.D_ACTIVE)) {
                if (!m.pools.containsKey(name)) {
                    m.pools.put(name, lastByName(bySlot, name));
                    m.awaitedPools.add(name);
                }
            }
        }
        SessionTable[] tables = NatEngine.adoptTables(d.segments(), d.arenas());
        NatEngine e = new NatEngine(ctx, tables, s.eventRing(), m.emptySnapshot());
        m.engine = e;
        m.poolSlots.slots = new PoolRuntime[NatSnapshot.MAX_POOLS];
        m.poolSlots.slotOf.clear();
        m.poolSlots.nextSlot = 0;
        // the sessions name their pools by slot: the deposited pools take the same slots again
        List<Integer> handedOverSlots = new ArrayList<>();
        for (PoolDefinition p : bySlot) {
            if (PoolRuntime.handedOver(d.segments(), m.poolSlots.nextSlot)) {
                handedOverSlots.add(m.poolSlots.nextSlot);
            }
            m.poolSlots.addRuntime(p, d.segments());
        }
        e.startPortChanges(staticChanges(staticsThen, handedOverSlots));
        for (PoolDefinition p : m.pools.values()) {
            Integer at = m.poolSlots.slotOf.get(p.name());
            if (at == null || !m.poolSlots.slots[at].definition().equals(p)) {
                m.poolSlots.addRuntime(p);
            }
        }
        long sessions = 0;
        for (SessionTable t : tables) {
            sessions += t.size();
        }
        m.lastHandOver = "adopted " + sessions + " sessions (layout " + d.layoutVersion() + ", " + tables.length
                + " workers)";
        LOG.info("NAT {}", m.lastHandOver);
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
        for (StaticMapping sm : then) {
            if (!m.statics.contains(sm)) {
                portChanges(WorkerRequest.UNRESERVE, sm, handedOverSlots, rows);
            }
        }
        for (StaticMapping sm : m.statics) {
            if (!then.contains(sm)) {
                portChanges(WorkerRequest.RESERVE, sm, handedOverSlots, rows);
            }
        }
        int[] out = new int[5 * rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, out, 5 * i, 5);
        }
        return out;
    }

    private void portChanges(int kind, StaticMapping sm, List<Integer> inSlots, List<int[]> rows) {
        for (int slot : inSlots) {
            PoolDefinition p = m.poolSlots.slots[slot].definition();
            int addrIndex = PoolSlots.addressIndex(p, sm.global().address());
            int port = sm.global().port();
            if (addrIndex >= 0 && port >= p.portMin() && port <= p.portMax()) {
                rows.add(new int[]{kind, sm.protocol().number(), slot, addrIndex, port});
            }
        }
    }

}
