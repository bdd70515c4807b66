package dev.natgw.nat.fastpath;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.handover.Drops;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's translator: its session table, its event ring and its counters; it parses each packet and
 * hands it to {@link In2Out} or {@link Out2In}, keeps the books they share (drops, hand-offs, mapping and session
 * deletion) and runs the worker's time between bursts, with {@link WorkerControl} answering control requests. Runs on exactly one dataplane worker thread ({@link #process} and {@link #tick}); never blocks,
 * never allocates, never locks, never logs. What other threads read (counters) is copied out with opaque
 * stores in {@link #tick}; what they ask (session lists, clears, reservations) arrives as a
 * {@link WorkerRequest} that {@link #tick} answers.
 *
 * <p>
 * Ownership, which is why nothing here is shared: an inside host's sessions live on its home worker
 * ({@link Ownership#home}); an outside port belongs to {@link PortOwnership#owner}; other IP protocols
 * (address-only translation) live on the home worker of the remote address. A packet that reaches another
 * worker is handed off once; a handed-off packet is never handed off again.
 */
public final class NatWorker implements AutoCloseable {
    /** A {@code long} of a segment at a byte offset: the published counters. */
    private static final VarHandle COUNTER = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle STARTED;

    static {
        try {
            STARTED = MethodHandles.lookup().findVarHandle(NatWorker.class, "started", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMP = 1;
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    /** Expiries handled per tick, so a mass expiry spreads over ticks instead of stalling the worker. */
    static final int EXPIRE_PER_TICK = 2048;
    /** Sessions a control request scans per tick. */
    static final int SCAN_PER_TICK = 65536;

    final int id;
    private final NatEngine engine;
    final int workers;
    final SessionTable table;
    final EventRing events;
    /** The packet being handled, parsed; shared with the paths, which run on this worker only. */
    final Packet pkt = new Packet();
    /** The counters by {@link CounterIndex}, written by this worker only; published in {@link #tick}. */
    final long[] c = new long[CounterIndex.COUNT];
    /** The counters as last published, in the table's memory, so they go on across a hand-over. */
    private final MemorySegment published;
    private final In2Out in2out;
    private final Out2In out2in;
    private final WorkerControl control;
    /** The lookup pass's sessions by slot, then the hints; valid for the first {@link #hints} slots. */
    private final int[] warm = new int[PacketBurst.DEFAULT_BURST * 8];
    private static final int KEY_INTS = 6;
    /** The lookup pass's keys by slot: inside (1) or outside, protocol, our side's address and port, remote's. */
    private final int[] keys = new int[warm.length * KEY_INTS];
    /** The lookup pass's candidates' mappings by slot. */
    private final int[] mappings = new int[warm.length];
    /** The ports the burst's new flows will take, taken by the lookup pass; used by {@link In2Out}. */
    final PortsAhead ahead;
    /** Steps along a chain the lookup pass takes: the first, second or third session of a chain is found. */
    private static final int CHAIN_STEPS = 2;
    /**
     * The lookup pass's answer for a packet whose chain it walked to the end without finding its key: no session
     * (as the table was before the burst's packets were handled).
     */
    static final int ABSENT = -1;
    /** The lookup pass's answer for a packet whose chain went on beyond its steps: it may have a session. */
    static final int UNKNOWN = -2;
    /** Slots of the current burst that {@link #warm} looked up; 0 when it did not run. */
    private int hints;
    // a sink for the lookup pass's loads, so that the JIT cannot drop them as dead; never read on purpose
    @SuppressWarnings("UnusedVariable")
    private int warmSink;
    /** The fragment state, made on the worker in its first run with the engine's limits then. */
    private Fragments frags;
    /** Fragment gauges other threads read: datagrams tracked, buffers held. */
    private final long[] fragGauges = new long[2];
    private static final VarHandle GAUGE = MethodHandles.arrayElementVarHandle(long[].class);
    /**
     * The drop reason of the packet being translated, or -1: set by {@link #drop} and by a refusal answered with an
     * ICMP error, so the fragment table knows what came of a first fragment.
     */
    int outcome = -1;
    /** The wall-clock time of this burst's or tick's events, valid while {@link #eventClockRead}. */
    private long eventClock;
    private boolean eventClockRead;
    /** Until the first burst or tick: then the worker counts an adopted table's sessions and says it runs. */
    private boolean firstRun = true;
    private final boolean adopted;
    @SuppressWarnings("unused") // through STARTED
    private boolean started;

    /**
     * Makes a worker's translator; on a control thread, before the worker runs.
     *
     * @param id the worker id
     * @param engine the engine, whose snapshot and mailbox it reads
     * @param capacity sessions this worker can hold
     * @param hostCapacity inside hosts it can track for quotas
     * @param eventRing NAT events it can buffer
     */
    NatWorker(int id, NatEngine engine, int capacity, int hostCapacity, int eventRing) {
        this(id, engine, new SessionTable(capacity, hostCapacity), eventRing, false);
    }

    /**
     * Makes a worker's translator on a table it adopts from another revision of the bundle; on a control
     * thread. The previous revision may still run on the table until the dataplane swaps the stages, so this
     * only keeps it; the worker reads it before its first burst.
     *
     * @param id the worker id
     * @param engine the engine, whose snapshot and mailbox it reads
     * @param table the adopted table, owned by this worker from now on
     * @param eventRing NAT events it can buffer
     * @param adopted true if the table holds another revision's sessions
     */
    NatWorker(int id, NatEngine engine, SessionTable table, int eventRing, boolean adopted) {
        this.id = id;
        this.engine = engine;
        this.workers = engine.workers();
        this.table = table;
        this.published = table.counters();
        this.events = new EventRing(eventRing);
        this.adopted = adopted;
        this.ahead = new PortsAhead(table, id, workers, warm.length);
        this.out2in = new Out2In(this);
        this.in2out = new In2Out(this, out2in);
        this.control = new WorkerControl(this, engine);
    }

    /** {@return the sessions this worker can hold} */
    public int capacity() {
        return table.capacity();
    }

    /** {@return the arena of the worker's off-heap memory (its table and its pools' allocators)} */
    public java.lang.foreign.Arena arena() {
        return table.arena();
    }

    /** {@return the worker's session table} */
    SessionTable table() {
        return table;
    }

    /**
     * Runs once, on the worker, before anything else; the previous revision's stage no longer runs on this worker.
     * On an adopted table: goes on from the counters the previous revision last published in the table's memory,
     * except the per-pool live sessions {@code NatService.poolUsage()} reads, which it recounts from the table
     * (the allocators came with the table and need nothing). Then applies the engine's
     * {@link NatEngine#startPortChanges static port changes}, publishes the counters, and says the worker runs
     * this engine.
     */
    private void firstRun(NatSnapshot snap) {
        firstRun = false;
        frags = new Fragments(this, engine.fragmentLimits());
        if (adopted) {
            // its stage ran last on this worker: what it published is the latest
            for (int k = 0; k < CounterIndex.ADOPTED; k++) {
                c[k] = (long) COUNTER.getOpaque(published, 8L * k);
            }
            for (int s = table.nextLive(0); s >= 0; s = table.nextLive(s + 1)) {
                int mp = table.mapping(s);
                c[CounterIndex.POOLS + 3 * slot(mp) + protoIndex(table.mProto(mp))]++;
            }
        }
        // static mappings added or removed since the deposit: only this worker writes its allocators
        int[] ch = engine.startPortChanges();
        for (int i = 0; i < ch.length; i += 5) {
            control.portChange(ch[i], ch[i + 1], ch[i + 2], ch[i + 3], ch[i + 4], snap);
        }
        publishCounters();
        STARTED.setRelease(this, true);
    }

    /** {@return true once this worker has run a burst or a tick of this engine; any thread} */
    public boolean started() {
        return (boolean) STARTED.getAcquire(this);
    }

    /** {@return the worker's event ring, drained by the logging thread} */
    public EventRing events() {
        return events;
    }

    /**
     * Reads a counter as last published by {@link #tick}; any thread.
     *
     * @param index the counter
     * @return its value
     */
    public long counter(int index) {
        return (long) COUNTER.getOpaque(published, 8L * index);
    }

    /** {@return inside hosts the worker counts ports or sessions of; exact on the worker, a recent value elsewhere} */
    public int hosts() {
        return table.hostCount();
    }

    /** {@return live sessions; any thread} */
    public long sessions() {
        return table.size();
    }

    /**
     * Returns the live sessions in one state, exact as the worker keeps it; any thread.
     *
     * @param state a {@link dev.natgw.nat.handover.TcpStateCodes} code (0 counts every non-TCP session too)
     * @return the count
     */
    public long sessionsInState(int state) {
        return table.sessionsInState(state);
    }

    /** {@return the table's off-heap bytes} */
    public long bytes() {
        return table.bytes();
    }

    /**
     * Translates the PASS slots of a burst.
     *
     * @param b the burst
     * @param now {@link System#nanoTime()} for this burst
     */
    public void process(PacketBurst b, long now) {
        NatSnapshot snap = engine.snapshot();
        eventClockRead = false;
        if (firstRun) {
            firstRun(snap);
        }
        MemorySegment m = b.memory();
        int n = b.size();
        hints = 0;
        if (n > 1 && n <= warm.length) {
            warm(b, m, n, snap);
        }
        for (int i = 0; i < n; i++) {
            if (b.verdict(i) != Verdict.PASS) {
                continue;
            }
            try {
                handle(b, i, m, snap, now);
            } catch (RuntimeException e) {
                // a bug, not bad input: never let it stop the worker; the packet is dropped and counted
                drop(b, i, Drops.STAGE_ERROR);
            }
        }
        if (frags.pending()) {
            frags.flush(b);
        }
        ahead.finish();
        hints = 0;
    }

    /**
     * Looks up the sessions of a burst's packets before the packets are handled, in passes whose loads do not
     * depend on each other across packets, so the CPU overlaps their cache misses instead of taking them one packet
     * at a time: the keys and their chains (no load from the table), the chains' heads, one step along each chain
     * towards the key's remote endpoint (most hits are the first or second session of a chain), then the exact
     * check of the candidate against the whole key, which brings its mapping in; for an inside packet without a
     * session, the mapping chain and host slot its new session will look up. What is found is only a hint for
     * {@link #hint}: the paths check it again against the packet they parsed, so a packet that is not what this
     * pass read (anything but plain Ethernet + 20-byte IPv4 + TCP/UDP/ICMP, or changed by an earlier packet's
     * handling) costs a lookup of its own, never a wrong session. A packet whose chain it walked to the end is
     * {@link #ABSENT}, one whose chain goes on beyond its steps {@link #UNKNOWN}: only the first is taken for a new
     * flow ({@link PortsAhead}), so an established session deep in a long chain costs no new-flow work. Reads
     * nothing it has not bounds-checked.
     */
    private void warm(PacketBurst b, MemorySegment m, int n, NatSnapshot snap) {
        long size = m.byteSize();
        SessionTable t = table;
        for (int i = 0; i < n; i++) {
            warm[i] = -1;
            keys[i * KEY_INTS] = -1;
            long f = b.dataOffset(i);
            if (b.verdict(i) != Verdict.PASS || b.length(i) < 42 || f + 42 > size
                    || m.get(U16, f + 12) != 0x0800 || m.get(ValueLayout.JAVA_BYTE, f + 14) != 0x45) {
                continue;
            }
            int proto = m.get(ValueLayout.JAVA_BYTE, f + 23) & 0xff;
            int src = m.get(U32, f + 26);
            int dst = m.get(U32, f + 30);
            int sport;
            int dport;
            if (proto == TCP || proto == UDP) {
                sport = m.get(U16, f + 34) & 0xffff;
                dport = m.get(U16, f + 36) & 0xffff;
            } else if (proto == ICMP) {
                sport = m.get(U16, f + 38) & 0xffff;
                dport = 0;
            } else {
                continue;
            }
            boolean in = b.inPort(i) == PortRole.CODE_INSIDE;
            int k = i * KEY_INTS;
            keys[k] = in ? 1 : 0;
            keys[k + 1] = proto;
            keys[k + 2] = in ? src : dst;
            keys[k + 3] = in ? sport : proto == ICMP ? sport : dport;
            keys[k + 4] = in ? dst : src;
            keys[k + 5] = in ? dport : proto == ICMP ? 0 : sport;
            warm[i] = in
                    ? t.bucketIn(proto, src, sport, dst, dport)
                    : t.bucketOut(proto, keys[k + 2], keys[k + 3], keys[k + 4], keys[k + 5]);
        }
        // each load that may miss sits in a loop of its own with little else in it, so that many iterations, and
        // so many misses, fit in the CPU's window at once; the loops that decide work on lines already brought in
        for (int i = 0; i < n; i++) {
            if (warm[i] >= 0) {
                warm[i] = t.chainHead(keys[i * KEY_INTS] == 1, warm[i]);
            }
        }
        int sink = 0;
        for (int step = 0; step < CHAIN_STEPS; step++) {
            for (int i = 0; i < n; i++) {
                if (warm[i] >= 0) {
                    sink += t.mapping(warm[i]);
                }
            }
            for (int i = 0; i < n; i++) {
                if (warm[i] >= 0) {
                    int k = i * KEY_INTS;
                    warm[i] = t.stepTowards(keys[k] == 1, warm[i], keys[k + 4], keys[k + 5]);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            mappings[i] = warm[i] >= 0 ? t.mapping(warm[i]) : -1;
        }
        for (int i = 0; i < n; i++) {
            if (mappings[i] >= 0) {
                sink += t.mInAddr(mappings[i]);
            }
        }
        for (int i = 0; i < n; i++) {
            int s = warm[i];
            if (s >= 0) {
                int k = i * KEY_INTS;
                boolean found = keys[k] == 1
                        ? t.isIn(s, keys[k + 1], keys[k + 2], keys[k + 3], keys[k + 4], keys[k + 5])
                        : t.isOut(s, keys[k + 1], keys[k + 2], keys[k + 3], keys[k + 4], keys[k + 5]);
                // a session other than the key's where the walk stopped: the key's may lie deeper in the chain
                warm[i] = found ? s : UNKNOWN;
            }
        }
        // an inside packet without a session will make one: its mapping chain and host slot come next, then its port
        sink += ahead.prepare(b, m, n, snap, keys, KEY_INTS, warm);
        // kept, so the compiler cannot drop the loads
        warmSink += sink;
        hints = n;
    }

    /**
     * The session the burst's lookup pass found for slot {@code i}, or a negative value: a hint the paths check
     * against the packet's key ({@link SessionTable#findIn(int, int, int, int, int, int)}) before they use it.
     */
    int hint(int i) {
        return i < hints ? warm[i] : -1;
    }

    private void handle(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
        int r = pkt.parse(m, b.dataOffset(i), b.length(i));
        if (r == Packet.NOT_IPV4) {
            return;
        }
        int proto = pkt.proto;
        boolean tracked = pkt.fragment && (proto == TCP || proto == UDP || proto == ICMP);
        if (r != Packet.OK) {
            if (tracked) {
                // the rest of its datagram goes the same way, not held until the state times out
                frags.refused(b, i, r, now);
            } else {
                drop(b, i, r);
            }
            return;
        }
        if (tracked) {
            // other protocols carry no ports: each fragment translates on its addresses as a whole packet does
            frags.handle(b, i, m, snap, now);
            return;
        }
        translate(b, i, m, snap, now);
    }

    /** Runs the packet {@link #pkt} holds, a whole packet or a first fragment, through its direction's path. */
    void translate(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
        if (b.inPort(i) == PortRole.CODE_INSIDE) {
            in2out.inside(b, i, m, snap, now);
        } else {
            out2in.outside(b, i, m, snap, now);
        }
    }

    // ---------------------------------------------------------------- bookkeeping

    void handoff(PacketBurst b, int i, int target) {
        if (b.handedOffFrom(i) >= 0) {
            // handed to us already: the sender and we disagree on the owner, so stop rather than loop
            drop(b, i, Drops.HANDOFF_LOOP);
            return;
        }
        b.setHandoff(i, target);
        c[CounterIndex.HANDOFFS]++;
    }

    void drop(PacketBurst b, int i, int reason) {
        c[CounterIndex.DROPS + reason]++;
        outcome = reason;
        b.setVerdict(i, Verdict.DROP);
    }

    void created(int mp) {
        c[CounterIndex.CREATED]++;
        c[CounterIndex.POOLS + 3 * slot(mp) + protoIndex(table.mProto(mp))]++;
        if (limited(mp)) {
            table.hostAddSessions(table.mInAddr(mp), 1);
        }
    }

    /**
     * Whether a mapping counts against its inside host's quota and limits: made from a pool (not static) for TCP,
     * UDP or ICMP (not address-only).
     */
    boolean limited(int mp) {
        int proto = table.mProto(mp);
        return slot(mp) != NatSnapshot.STATIC_SLOT && (proto == TCP || proto == UDP || proto == ICMP);
    }

    /**
     * Adds a mapping, keeping its pool slot and address index in the record's 16-bit pool and 8-bit flags
     * fields: the slot in the low byte of the pool field, the address index in the rest.
     */
    int addMapping(int proto, int inAddr, int inPort, int outAddr, int outPort, int slot, int addrIndex) {
        return table.addMapping(proto, inAddr, inPort, outAddr, outPort, slot | (addrIndex >>> 8) << 8,
                addrIndex & 0xff);
    }

    int slot(int mp) {
        return table.mPool(mp) & 0xff;
    }

    int addrIndex(int mp) {
        return (table.mPool(mp) >>> 8) << 8 | table.mFlags(mp);
    }

    static int protoIndex(int proto) {
        return proto == TCP ? 0 : proto == UDP ? 1 : 2;
    }

    /**
     * The wall-clock time of the events of the burst or tick in progress: read at its first event and kept for the
     * rest, so a burst of new flows reads the clock once, not once a flow (a burst lasts microseconds, well inside
     * the millisecond the events carry).
     */
    long eventMillis() {
        if (!eventClockRead) {
            eventClock = System.currentTimeMillis();
            eventClockRead = true;
        }
        return eventClock;
    }

    /** Logs a mapping created or deleted, unless its pool logs port blocks instead (one record per block). */
    void mappingEvent(int type, int mp, NatSnapshot snap) {
        int slot = slot(mp);
        if (slot != NatSnapshot.STATIC_SLOT && snap.slots()[slot] != null && snap.slots()[slot].blocks) {
            return;
        }
        if (!events.record(type, table.mProto(mp), slot(mp), table.mInAddr(mp), table.mInPort(mp),
                table.mOutAddr(mp), table.mOutPort(mp), eventMillis())) {
            c[CounterIndex.EVENTS_LOST]++;
        }
    }

    /** Logs a port block allocated or released: the block's size rides in the inside port, its first port outside. */
    void blockEvent(int type, int slot, int inAddr, int outAddr, int firstPort, int blockSize) {
        if (!events.record(type, 0, slot, inAddr, blockSize, outAddr, firstPort, eventMillis())) {
            c[CounterIndex.EVENTS_LOST]++;
        }
    }

    /** Deletes a session and, with its last session, its mapping, giving the port back to its pool. */
    void deleteSession(int s, long now, NatSnapshot snap) {
        int mp = table.mapping(s);
        table.removeSession(s);
        if (limited(mp)) {
            table.hostAddSessions(table.mInAddr(mp), -1);
        }
        c[CounterIndex.DELETED]++;
        c[CounterIndex.POOLS + 3 * slot(mp) + protoIndex(table.mProto(mp))]--;
        if (table.mappingSessions(mp) == 0) {
            deleteMapping(mp, now, snap, true);
        }
    }

    void deleteMapping(int mp, long now, NatSnapshot snap, boolean logged) {
        int slot = slot(mp);
        int proto = table.mProto(mp);
        if (limited(mp)) {
            PoolRuntime p = snap.slots()[slot];
            if (p != null && p.blocks) {
                BlockAllocator ba = p.blocks(id);
                if (ba.release(proto, addrIndex(mp), table.mOutPort(mp), now) && p.logsBlocks) {
                    blockEvent(EventRing.BLOCK_RELEASED, slot, table.mInAddr(mp), p.addresses()[ba.releasedAddress],
                            ba.releasedFirstPort, ba.blockSize());
                }
            } else if (p != null) {
                p.allocator(id).release(proto, addrIndex(mp), table.mOutPort(mp), now);
            }
            table.hostAdd(table.mInAddr(mp), proto, -1);
        }
        if (logged) {
            mappingEvent(EventRing.DELETED, mp, snap);
        }
        table.removeMapping(mp);
    }

    /**
     * The worker's time between bursts: expires sessions, returns held ports, answers the control request
     * and publishes the counters.
     *
     * @param now {@link System#nanoTime()} as the worker read it
     */
    public void tick(long now) {
        NatSnapshot snap = engine.snapshot();
        eventClockRead = false;
        if (firstRun) {
            firstRun(snap);
        }
        for (int k = 0; k < EXPIRE_PER_TICK; k++) {
            int s = table.pollDue(now);
            if (s < 0) {
                break;
            }
            int mp = table.mapping(s);
            long due = table.lastSeen(s) + (table.unanswered(s)
                    ? snap.unansweredNanos()
                    : TcpStates.timeout(snap, table.mProto(mp), table.state(s)));
            if (due > now) {
                table.schedule(s, due);
            } else {
                deleteSession(s, now, snap);
            }
        }
        for (PoolRuntime p : snap.slots()) {
            if (p != null) {
                p.tick(id, now);
            }
        }
        frags.expire(now, engine.fragmentLimits().timeoutNanos(), MemorySegment.NULL);
        boolean answered = control.work(snap, now);
        publishCounters();
        if (answered) {
            // after publishing, so the caller reads counters that include what the request changed
            control.complete();
        }
    }

    private void publishCounters() {
        c[CounterIndex.DROPS + Drops.EVENT_LOG_FULL] = c[CounterIndex.EVENTS_LOST];
        for (int k = 0; k < CounterIndex.COUNT; k++) {
            COUNTER.setOpaque(published, 8L * k, c[k]);
        }
        GAUGE.setOpaque(fragGauges, 0, (long) frags.live());
        GAUGE.setOpaque(fragGauges, 1, (long) frags.held());
    }

    /** {@return the heap bytes of the worker's fragment table, 0 before its first burst or tick; any thread after} */
    public long fragmentBytes() {
        Fragments f = frags;
        return f == null ? 0 : f.bytes();
    }

    /** {@return the datagrams whose fragment state this worker keeps, as last published by {@link #tick}; any thread} */
    public long fragmentStates() {
        return (long) GAUGE.getOpaque(fragGauges, 0);
    }

    /**
     * {@return the fragment buffers this worker holds (waiting for their first fragment, or to be appended to a
     * burst), as last published by {@link #tick}; any thread}
     */
    public long fragmentsHeld() {
        return (long) GAUGE.getOpaque(fragGauges, 1);
    }

    @Override
    public void close() {
        table.close();
    }
}
