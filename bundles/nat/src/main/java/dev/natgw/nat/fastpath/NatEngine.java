package dev.natgw.nat.fastpath;

import dev.natgw.nat.handover.HandOverFormat;
import dev.natgw.nat.handover.SessionLayout;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.StageContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The translator as attached to one set of dataplane workers: the RSS hash and port ownership they share,
 * one {@link NatWorker} each, the configuration snapshot they read and the mailboxes the control plane
 * writes to. Made on a control thread in {@code attach}, fresh or on the tables of a hand-over
 * ({@link #adoptTables}), and closed in {@code detach} after the last burst, or its off-heap memory handed over
 * ({@link #handOver}) for the next revision of the bundle.
 */
public final class NatEngine implements AutoCloseable {
    private final int workers;
    private final Toeplitz toeplitz;
    private final RssConfig rss;
    private final String rssFingerprint;
    private final int[] workerForQueue;
    private final NatWorker[] perWorker;
    private final AtomicReferenceArray<WorkerRequest> mailbox;
    private volatile NatSnapshot snapshot;
    /** Port (un)reservations each worker applies in its first run, before its first packet. */
    private volatile int[] startPortChanges = new int[0];
    /** The fragment limits: each worker sizes its table by them in its first run; the timeout applies at once. */
    private volatile FragmentLimits fragmentLimits = FragmentLimits.DEFAULTS;

    /**
     * Makes the engine.
     *
     * @param ctx the dataplane's workers and RSS configuration
     * @param sessionsMax sessions over all workers
     * @param hostsMax inside hosts tracked per worker for quotas
     * @param eventRing events buffered per worker
     * @param initial the first snapshot
     */
    public NatEngine(StageContext ctx, int sessionsMax, int hostsMax, int eventRing,
            NatSnapshot initial) {
        this(ctx, null, sessionsMax, hostsMax, eventRing, initial);
    }

    /**
     * Makes the engine on session tables adopted from another revision of the bundle, one per worker, in worker
     * order; each worker counts its table's ports in the pools' allocators before its first burst.
     *
     * @param ctx the dataplane's workers and RSS configuration
     * @param adopted the tables, as many as workers; this engine owns them from now on
     * @param eventRing events buffered per worker
     * @param initial the first snapshot, holding the pools the tables' sessions were made from in their slots
     */
    public NatEngine(StageContext ctx, SessionTable[] adopted, int eventRing, NatSnapshot initial) {
        this(ctx, adopted, 0, 0, eventRing, initial);
    }

    private NatEngine(StageContext ctx, SessionTable[] adopted, int sessionsMax, int hostsMax, int eventRing,
            NatSnapshot initial) {
        this.workers = ctx.workerCount();
        if (adopted != null && adopted.length != workers) {
            throw new IllegalArgumentException("workers " + adopted.length + " != " + workers);
        }
        this.toeplitz = new Toeplitz(ctx.rss().key());
        this.rss = ctx.rss();
        this.workerForQueue = new int[rss.queues()];
        for (int q = 0; q < workerForQueue.length; q++) {
            workerForQueue[q] = ctx.workerForQueue(q);
        }
        this.rssFingerprint = rssFingerprint(ctx);
        this.mailbox = new AtomicReferenceArray<>(workers);
        this.snapshot = initial;
        this.perWorker = new NatWorker[workers];
        int each = (int) Math.max(1, ((long) sessionsMax + workers - 1) / workers);
        try {
            for (int w = 0; w < workers; w++) {
                perWorker[w] = adopted == null
                        ? new NatWorker(w, this, each, hostsMax, eventRing)
                        : new NatWorker(w, this, adopted[w], eventRing, true);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** {@return the workers, RSS key, redirection table and queue-to-worker map, which decide port ownership} */
    public String rssFingerprint() {
        return rssFingerprint;
    }

    /**
     * Describes what decides port ownership under a dataplane: equal strings mean the same owner for every port.
     *
     * @param ctx the dataplane's workers and RSS configuration
     * @return the description
     */
    public static String rssFingerprint(StageContext ctx) {
        RssConfig r = ctx.rss();
        int[] map = new int[r.queues()];
        for (int q = 0; q < map.length; q++) {
            map[q] = ctx.workerForQueue(q);
        }
        return ctx.workerCount() + " workers, key " + HexFormat.of().formatHex(r.key()) + ", reta "
                + Arrays.toString(r.redirectionTable()) + ", queues to workers " + Arrays.toString(map);
    }

    /** {@return the fragment limits the workers read} */
    public FragmentLimits fragmentLimits() {
        return fragmentLimits;
    }

    /**
     * Sets the fragment limits; on a control thread. Workers that already run keep their table's sizes and take the
     * timeout.
     *
     * @param limits the limits
     */
    public void fragmentLimits(FragmentLimits limits) {
        this.fragmentLimits = java.util.Objects.requireNonNull(limits, "limits");
    }

    /** {@return the number of workers} */
    public int workers() {
        return workers;
    }

    /** {@return the RSS hash the NIC uses} */
    public Toeplitz toeplitz() {
        return toeplitz;
    }

    /**
     * Deals the ports of a range to the workers; a pool's allocators and the out2in owner lookup of its
     * addresses both use the one this returns for the pool's range.
     *
     * @param portMin the range's lowest port
     * @param portMax its highest
     * @return the ownership
     */
    public PortOwnership ownership(int portMin, int portMax) {
        return new PortOwnership(toeplitz, rss, workerForQueue, portMin, portMax);
    }

    /**
     * Deals the whole aligned blocks of a range to the workers, round-robin ({@link PortOwnership}'s block deal).
     *
     * @param portMin the range's lowest port
     * @param portMax its highest
     * @param blockSize the ports of a block, a power of two
     * @return the ownership
     */
    public PortOwnership blockOwnership(int portMin, int portMax, int blockSize) {
        return new PortOwnership(toeplitz, rss, workerForQueue, workers(), portMin, portMax, blockSize);
    }

    /**
     * Returns a worker's translator.
     *
     * @param w the worker id
     * @return its translator
     */
    public NatWorker worker(int w) {
        return perWorker[w];
    }

    /** {@return the configuration the workers use now} */
    public NatSnapshot snapshot() {
        return snapshot;
    }

    /**
     * Publishes a new configuration; workers use it from their next burst or tick.
     *
     * @param s the snapshot
     */
    public void publish(NatSnapshot s) {
        snapshot = s;
    }

    /**
     * Posts a request to a worker; control plane, one request per worker at a time.
     *
     * @param w the worker
     * @param r the request
     * @return false if the worker has not taken the previous one yet
     */
    public boolean post(int w, WorkerRequest r) {
        return mailbox.compareAndSet(w, null, r);
    }

    /**
     * Withdraws a request the worker has not taken, after a timeout.
     *
     * @param w the worker
     * @param r the request
     */
    public void withdraw(int w, WorkerRequest r) {
        mailbox.compareAndSet(w, r, null);
    }

    /**
     * Sets the static ports each worker reserves or unreserves in its adopted allocators when it first runs this
     * engine (when the previous revision's stage no longer runs on it), before its first packet; on the control
     * thread, before the engine is attached.
     *
     * @param rows five {@code int}s per change: {@link WorkerRequest#RESERVE} or {@link WorkerRequest#UNRESERVE},
     *     protocol, pool slot, address index, port
     */
    public void startPortChanges(int[] rows) {
        if (rows.length % 5 != 0) {
            throw new IllegalArgumentException("port changes come in rows of 5 ints, not " + rows.length);
        }
        startPortChanges = rows.clone();
    }

    int[] startPortChanges() {
        return startPortChanges;
    }

    WorkerRequest takeRequest(int w) {
        // a plain read first: the swap is a locked instruction and the mailbox is almost always empty
        return mailbox.get(w) == null ? null : mailbox.getAndSet(w, null);
    }

    /**
     * Gives the workers' session tables away for a hand-over: their memory, named {@code w<worker>.<segment>},
     * and their arenas in worker order. Closing the engine no longer frees them; the workers keep running on
     * them until the dataplane detaches this engine's stage.
     *
     * @param arenas receives the arenas
     * @return the memory by name
     */
    public Map<String, MemorySegment> handOver(List<Arena> arenas) {
        Map<String, MemorySegment> out = new LinkedHashMap<>();
        for (int w = 0; w < workers; w++) {
            SessionTable t = perWorker[w].table();
            for (Map.Entry<String, MemorySegment> e : t.segments().entrySet()) {
                out.put(HandOverFormat.tableSegment(w, e.getKey()), e.getValue());
            }
            arenas.add(t.arena());
            t.disown();
        }
        return out;
    }

    /**
     * Takes over the session tables of a hand-over, as {@link #handOver} named them.
     *
     * @param segments the memory by name
     * @param arenas the arenas in worker order
     * @return one table per arena
     * @throws IllegalArgumentException naming what does not fit; nothing is closed then
     */
    public static SessionTable[] adoptTables(Map<String, MemorySegment> segments, List<Arena> arenas) {
        SessionTable[] out = new SessionTable[arenas.size()];
        for (int w = 0; w < out.length; w++) {
            Map<String, MemorySegment> mine = new HashMap<>();
            for (String name : SessionLayout.SEGMENT_NAMES) {
                MemorySegment m = segments.get(HandOverFormat.tableSegment(w, name));
                if (m != null) {
                    mine.put(name, m);
                }
            }
            out[w] = new SessionTable(arenas.get(w), mine);
        }
        return out;
    }

    @Override
    public void close() {
        for (NatWorker w : perWorker) {
            if (w != null) {
                w.close();
            }
        }
    }
}
