package dev.natgw.nat.fastpath;

import static dev.natgw.nat.handover.TcpStateCodes.ESTABLISHED;
import static dev.natgw.nat.handover.TcpStateCodes.FIN_BOTH;
import static dev.natgw.nat.handover.TcpStateCodes.FIN_IN;
import static dev.natgw.nat.handover.TcpStateCodes.FIN_OUT;
import static dev.natgw.nat.handover.TcpStateCodes.INIT_IN;
import static dev.natgw.nat.handover.TcpStateCodes.INIT_OUT;
import static dev.natgw.nat.handover.TcpStateCodes.NONE;
import static dev.natgw.nat.handover.TcpStateCodes.TRANSITORY;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.handover.Drops;
import dev.natgw.nat.handover.SessionRow;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's translator: its session table, its event ring and its counters, and the in2out and out2in
 * logic. Runs on exactly one dataplane worker thread ({@link #process} and {@link #tick}); never blocks,
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
    /** Sessions of one mapping examined by address-dependent filtering. */
    static final int FILTER_SCAN = 1024;

    private final int id;
    private final NatEngine engine;
    private final int workers;
    private final SessionTable table;
    private final EventRing events;
    private final Packet pkt = new Packet();
    private final long[] c = new long[CounterIndex.COUNT];
    /** The counters as last published, in the table's memory, so they go on across a hand-over. */
    private final MemorySegment published;
    private WorkerRequest current;
    private int cursor;
    private final int[] warm = new int[PacketBurst.DEFAULT_BURST * 8];
    /** Until the first burst or tick: then the worker counts an adopted table's sessions and says it runs. */
    private boolean firstRun = true;
    private final boolean adopted;
    @SuppressWarnings("unused") // through STARTED
    private boolean started;
    private int warmSink;

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
            portChange(ch[i], ch[i + 1], ch[i + 2], ch[i + 3], ch[i + 4], snap);
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
        if (firstRun) {
            firstRun(snap);
        }
        MemorySegment m = b.memory();
        int n = b.size();
        if (n > 1 && n <= warm.length) {
            warm(b, m, n);
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
    }

    /**
     * Brings the session and mapping records of a burst's packets into the cache before the packets are
     * handled, in three tight passes (index heads, then sessions, then mappings) whose loads do not depend
     * on each other within a pass, so the CPU overlaps their misses instead of taking them one packet at a
     * time. It only reads a plain Ethernet + 20-byte IPv4 + TCP/UDP/ICMP header; anything else is skipped
     * here and handled normally. Reads nothing it has not bounds-checked and decides nothing.
     */
    private void warm(PacketBurst b, MemorySegment m, int n) {
        long size = m.byteSize();
        for (int i = 0; i < n; i++) {
            warm[i] = -1;
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
            warm[i] = b.inPort(i) == PortRole.CODE_INSIDE
                    ? table.peekIn(proto, src, sport, dst, dport)
                    : table.peekOut(proto, dst, proto == ICMP ? sport : dport, src, proto == ICMP ? 0 : sport);
        }
        int cap = table.capacity();
        for (int i = 0; i < n; i++) {
            if (warm[i] >= 0) {
                warm[i] = table.peekSession(warm[i]);
            }
        }
        int sink = 0;
        for (int i = 0; i < n; i++) {
            if (warm[i] >= 0 && warm[i] < cap) {
                sink += table.peekMapping(warm[i]);
            }
        }
        // kept, so the compiler cannot drop the loads
        warmSink += sink;
    }

    private void handle(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
        int r = pkt.parse(m, b.dataOffset(i), b.length(i));
        if (r == Packet.NOT_IPV4) {
            return;
        }
        if (r != Packet.OK) {
            drop(b, i, r);
            return;
        }
        if (b.inPort(i) == PortRole.CODE_INSIDE) {
            inside(b, i, m, snap, now);
        } else {
            outside(b, i, m, snap, now);
        }
    }

    // ---------------------------------------------------------------- inside to outside

    private void inside(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
        int proto = pkt.proto;
        if (pkt.icmpError) {
            insideIcmpError(b, i, m, snap);
            return;
        }
        if (b.handedOffFrom(i) >= 0 && snap.addresses().find(pkt.src) >= 0) {
            // second half of a hairpin: the home worker already translated the source
            toInside(b, i, m, snap, now, pkt.dstPort, false);
            return;
        }
        if (snap.addresses().find(pkt.src) >= 0) {
            // no inside host may use a global address of ours; dropped here, it can never pose as a hairpin's half
            drop(b, i, Drops.SPOOFED_SOURCE);
            return;
        }
        if (proto != TCP && proto != UDP && proto != ICMP) {
            insideOther(b, i, m, snap, now);
            return;
        }
        int home = Ownership.home(pkt.src, workers);
        if (home != id) {
            handoff(b, i, home);
            return;
        }
        int remPort = proto == ICMP ? 0 : pkt.dstPort;
        int s = table.findIn(proto, pkt.src, pkt.srcPort, pkt.dst, remPort);
        if (s < 0) {
            s = newFromInside(b, i, m, snap, now, remPort);
            if (s < 0) {
                return;
            }
        } else {
            table.touch(s, now);
            if (proto == TCP && (pkt.tcpFlags & (SYN | FIN | RST)) != 0) {
                tcpFromInside(s, snap, now);
            }
        }
        int mp = table.mapping(s);
        pkt.rewriteSource(m, table.mOutAddr(mp), table.mOutPort(mp));
        c[CounterIndex.IN2OUT]++;
        if (snap.addresses().find(pkt.dst) >= 0) {
            // hairpin: an inside host reached another one through its outside endpoint; the packet may
            // already have been handed to this home worker, and may need one more hop to the outside end's owner
            toInside(b, i, m, snap, now, pkt.dstPort, true);
            return;
        }
        b.setVerdict(i, Verdict.TX_OUTSIDE);
    }

    private int newFromInside(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now, int remPort) {
        int proto = pkt.proto;
        if (proto == TCP && (pkt.tcpFlags & (SYN | ACK | RST)) != SYN) {
            drop(b, i, Drops.TCP_NO_SESSION);
            return -1;
        }
        if (proto == ICMP && pkt.icmpType != 8) {
            drop(b, i, Drops.NO_SESSION);
            return -1;
        }
        if (!Checksum.l4Valid(m, pkt)) {
            drop(b, i, Drops.BAD_L4_CHECKSUM);
            return -1;
        }
        int mp = table.findMappingIn(proto, pkt.src, pkt.srcPort);
        if (mp >= 0) {
            int slot = slot(mp);
            boolean reusable = slot == NatSnapshot.STATIC_SLOT
                    || snap.slots()[slot] != null && snap.slots()[slot].endpointIndependentMapping;
            if (!reusable) {
                mp = -1;
            }
        }
        boolean newMapping = false;
        if (mp < 0) {
            int st = snap.statics().findInside(proto, pkt.src, pkt.srcPort);
            if (st >= 0) {
                mp = table.addMapping(proto, pkt.src, pkt.srcPort, snap.statics().globalAddr(st),
                        snap.statics().globalPort(st), NatSnapshot.STATIC_SLOT, 0);
                if (mp < 0) {
                    drop(b, i, Drops.SESSION_TABLE_FULL);
                    return -1;
                }
            } else {
                mp = allocateMapping(b, i, m, snap, now, remPort);
                if (mp < 0) {
                    return -1;
                }
            }
            newMapping = true;
        }
        int s = table.addSession(mp, pkt.dst, remPort, now);
        if (s < 0) {
            if (newMapping) {
                deleteMapping(mp, now, snap, false);
            }
            drop(b, i, Drops.SESSION_TABLE_FULL);
            return -1;
        }
        if (newMapping) {
            mappingEvent(EventRing.CREATED, mp);
        }
        int state = proto == TCP ? INIT_IN : NONE;
        table.setState(s, state);
        table.schedule(s, now + timeout(snap, proto, state));
        created(mp);
        return s;
    }

    /** Takes a port from the first active pool that has one; sets the verdict and returns -1 when refused. */
    private int allocateMapping(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now, int remPort) {
        int proto = pkt.proto;
        PoolRuntime[] active = snap.active();
        if (active.length == 0) {
            drop(b, i, Drops.POOL_EXHAUSTED);
            c[CounterIndex.EXHAUSTED]++;
            return -1;
        }
        PoolRuntime refusedBy = active[0];
        boolean quota = false;
        for (PoolRuntime p : active) {
            if (p.quota > 0 && table.hostPorts(pkt.src, proto) >= p.quota) {
                quota = true;
                refusedBy = p;
                break;
            }
            PortAllocator a = p.allocator(id);
            int[] addrs = p.addresses();
            int first = p.paired ? a.addressFor(pkt.src) : a.addressFor(pkt.src * 31 + pkt.srcPort);
            int tries = p.paired ? 1 : Math.min(addrs.length, 8);
            for (int t = 0; t < tries; t++) {
                int addrIndex = (first + t) % addrs.length;
                int outAddr = addrs[addrIndex];
                int port = a.allocate(proto, addrIndex, pkt.dst, remPort);
                if (port < 0 && !p.endpointIndependentMapping && proto != ICMP) {
                    // address-and-port-dependent mapping: an outside port may serve several destinations
                    for (int attempt = 0; attempt < 8 && port < 0; attempt++) {
                        int cand = a.allocateShared(proto, addrIndex, pkt.dst, remPort, attempt);
                        if (cand < 0) {
                            break;
                        }
                        if (table.findOut(proto, outAddr, cand, pkt.dst, remPort) < 0) {
                            a.share(proto, addrIndex, cand);
                            port = cand;
                        }
                    }
                }
                if (port < 0) {
                    continue;
                }
                if (!table.hostAdd(pkt.src, proto, 1)) {
                    a.release(proto, addrIndex, port, now);
                    quota = true;
                    refusedBy = p;
                    break;
                }
                int mp = addMapping(proto, pkt.src, pkt.srcPort, outAddr, port, p.slot(), addrIndex);
                if (mp < 0) {
                    table.hostAdd(pkt.src, proto, -1);
                    a.release(proto, addrIndex, port, now);
                    drop(b, i, Drops.SESSION_TABLE_FULL);
                    return -1;
                }
                return mp;
            }
            if (quota) {
                break;
            }
        }
        refuse(b, i, m, refusedBy, quota);
        return -1;
    }

    private void refuse(PacketBurst b, int i, MemorySegment m, PoolRuntime p, boolean quota) {
        c[quota ? CounterIndex.QUOTA : CounterIndex.EXHAUSTED]++;
        c[CounterIndex.DROPS + (quota ? Drops.QUOTA : Drops.POOL_EXHAUSTED)]++;
        if (!events.record(quota ? EventRing.REFUSED_QUOTA : EventRing.REFUSED_EXHAUSTED, pkt.proto, p.slot(),
                pkt.src, pkt.srcPort, 0, 0, System.currentTimeMillis())) {
            c[CounterIndex.EVENTS_LOST]++;
        }
        if (p.icmpOnExhaustion) {
            int[] addrs = p.addresses();
            int from = addrs[p.allocator(id).addressFor(pkt.src)];
            int len = IcmpReplies.unreachable(m, b.dataOffset(i), pkt, from, IcmpReplies.CODE_PROHIBITED);
            b.setLength(i, len);
            b.setVerdict(i, Verdict.TX_INSIDE);
        } else {
            b.setVerdict(i, Verdict.DROP);
        }
    }

    private void insideIcmpError(PacketBurst b, int i, MemorySegment m, NatSnapshot snap) {
        // the quoted packet went from a remote to the inside host: its destination is the session's inside end
        int ip = pkt.innerProto;
        if (ip != TCP && ip != UDP && ip != ICMP) {
            drop(b, i, Drops.ICMP_UNSUPPORTED);
            return;
        }
        int home = Ownership.home(pkt.innerDst, workers);
        if (home != id) {
            handoff(b, i, home);
            return;
        }
        int s = table.findIn(ip, pkt.innerDst, pkt.innerDstPort, pkt.innerSrc, ip == ICMP ? 0 : pkt.innerSrcPort);
        if (s < 0) {
            drop(b, i, Drops.NO_SESSION);
            return;
        }
        int mp = table.mapping(s);
        pkt.rewriteSource(m, table.mOutAddr(mp), 0);
        pkt.rewriteInnerDestination(m, table.mOutAddr(mp), table.mOutPort(mp));
        c[CounterIndex.IN2OUT]++;
        b.setVerdict(i, Verdict.TX_OUTSIDE);
    }

    private void insideOther(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
        if (!snap.otherAddressOnly()) {
            drop(b, i, Drops.OTHER_PROTOCOL);
            return;
        }
        int owner = Ownership.home(pkt.dst, workers);
        if (owner != id) {
            handoff(b, i, owner);
            return;
        }
        int proto = pkt.proto;
        int s = table.findIn(proto, pkt.src, 0, pkt.dst, 0);
        if (s < 0) {
            PoolRuntime[] active = snap.active();
            if (active.length == 0) {
                drop(b, i, Drops.POOL_EXHAUSTED);
                c[CounterIndex.EXHAUSTED]++;
                return;
            }
            PoolRuntime p = active[0];
            int addrIndex = p.allocator(id).addressFor(pkt.src);
            int outAddr = p.addresses()[addrIndex];
            if (table.findOut(proto, outAddr, 0, pkt.dst, 0) >= 0) {
                // another inside host already talks this protocol to this remote from the same address
                drop(b, i, Drops.MAPPING_CONFLICT);
                return;
            }
            int mp = table.findMappingIn(proto, pkt.src, 0);
            boolean newMapping = mp < 0;
            if (newMapping) {
                mp = addMapping(proto, pkt.src, 0, outAddr, 0, p.slot(), addrIndex);
                if (mp < 0) {
                    drop(b, i, Drops.SESSION_TABLE_FULL);
                    return;
                }
            }
            s = table.addSession(mp, pkt.dst, 0, now);
            if (s < 0) {
                if (newMapping) {
                    table.removeMapping(mp);
                }
                drop(b, i, Drops.SESSION_TABLE_FULL);
                return;
            }
            table.schedule(s, now + snap.udpNanos());
            created(mp);
        } else {
            table.touch(s, now);
        }
        pkt.rewriteSource(m, table.mOutAddr(table.mapping(s)), 0);
        c[CounterIndex.IN2OUT]++;
        b.setVerdict(i, Verdict.TX_OUTSIDE);
    }

    // ---------------------------------------------------------------- outside to inside

    private void outside(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
        if (pkt.icmpError) {
            outsideIcmpError(b, i, m, snap);
            return;
        }
        if (snap.addresses().find(pkt.dst) < 0) {
            return; // not addressed to us: left to the other stages
        }
        int proto = pkt.proto;
        if (proto != TCP && proto != UDP && proto != ICMP) {
            outsideOther(b, i, m, snap, now);
            return;
        }
        if (proto == ICMP && pkt.icmpType != 0) {
            // echo requests to our addresses are the to-self stage's; without it there is no session
            drop(b, i, Drops.NO_SESSION);
            return;
        }
        toInside(b, i, m, snap, now, pkt.dstPort, false);
    }

    /** Translates the destination of a packet for one of our outside endpoints (also the hairpin's half). */
    private void toInside(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now, int outPort,
            boolean secondHop) {
        int proto = pkt.proto;
        int remPort = proto == ICMP ? 0 : pkt.srcPort;
        int s = table.findOut(proto, pkt.dst, outPort, pkt.src, remPort);
        if (s >= 0) {
            table.touch(s, now);
            if (proto == TCP && (pkt.tcpFlags & (SYN | FIN | RST)) != 0) {
                tcpFromOutside(s, snap, now);
            }
        } else {
            int st = snap.statics().findGlobal(proto, pkt.dst, outPort);
            int owner = owner(snap, st, pkt.dst, outPort);
            if (owner < 0) {
                drop(b, i, Drops.NO_SESSION);
                return;
            }
            if (owner != id) {
                if (secondHop) {
                    b.setHandoff(i, owner);
                    c[CounterIndex.HANDOFFS]++;
                } else {
                    handoff(b, i, owner);
                }
                return;
            }
            s = newFromOutside(b, i, m, snap, now, st, outPort, remPort);
            if (s < 0) {
                return;
            }
        }
        int mp = table.mapping(s);
        pkt.rewriteDestination(m, table.mInAddr(mp), table.mInPort(mp));
        c[CounterIndex.OUT2IN]++;
        b.setVerdict(i, Verdict.TX_INSIDE);
    }

    private int newFromOutside(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now, int st,
            int outPort, int remPort) {
        int proto = pkt.proto;
        boolean syn = proto == TCP && (pkt.tcpFlags & (SYN | ACK | RST)) == SYN;
        if (proto == ICMP) {
            drop(b, i, Drops.NO_SESSION);
            return -1;
        }
        int mp = -1;
        boolean newMapping = false;
        if (st >= 0) {
            int inAddr = snap.statics().insideAddr(st);
            int inPort = snap.statics().insidePort(st);
            mp = table.findMappingIn(proto, inAddr, inPort);
            if (mp >= 0 && slot(mp) != NatSnapshot.STATIC_SLOT) {
                mp = -1;
            }
            if (mp < 0) {
                if (proto == TCP && !syn) {
                    drop(b, i, Drops.TCP_NO_SESSION);
                    return -1;
                }
                mp = table.addMapping(proto, inAddr, inPort, pkt.dst, outPort, NatSnapshot.STATIC_SLOT, 0);
                if (mp < 0) {
                    drop(b, i, Drops.SESSION_TABLE_FULL);
                    return -1;
                }
                newMapping = true;
            }
        } else {
            int any = table.findMappingOut(proto, pkt.dst, outPort);
            if (any < 0) {
                drop(b, i, syn ? Drops.UNSOLICITED_SYN : Drops.NO_SESSION);
                return -1;
            }
            for (int cand = any; cand >= 0 && mp < 0; cand = table.nextMappingOut(cand)) {
                PoolRuntime p = slot(cand) == NatSnapshot.STATIC_SLOT ? null : snap.slots()[slot(cand)];
                if (p != null && admits(cand, p.filtering)) {
                    mp = cand;
                }
            }
            if (mp < 0) {
                drop(b, i, syn ? Drops.UNSOLICITED_SYN : Drops.FILTERED);
                return -1;
            }
        }
        if (proto == TCP && !syn) {
            drop(b, i, Drops.TCP_NO_SESSION);
            return -1;
        }
        if (!Checksum.l4Valid(m, pkt)) {
            if (newMapping) {
                table.removeMapping(mp);
            }
            drop(b, i, Drops.BAD_L4_CHECKSUM);
            return -1;
        }
        int s = table.addSession(mp, pkt.src, remPort, now);
        if (s < 0) {
            if (newMapping) {
                table.removeMapping(mp);
            }
            drop(b, i, Drops.SESSION_TABLE_FULL);
            return -1;
        }
        if (newMapping) {
            mappingEvent(EventRing.CREATED, mp);
        }
        int state = proto == TCP ? INIT_OUT : NONE;
        table.setState(s, state);
        table.schedule(s, now + timeout(snap, proto, state));
        created(mp);
        return s;
    }

    /** The worker that owns an outside endpoint: static mappings by their inside host, pools by port. */
    private int owner(NatSnapshot snap, int staticIndex, int addr, int port) {
        if (staticIndex >= 0) {
            return Ownership.home(snap.statics().insideAddr(staticIndex), workers);
        }
        int v = snap.addresses().find(addr);
        if (v < 0 || v >>> 16 == NatSnapshot.STATIC_SLOT) {
            return -1;
        }
        PoolRuntime p = snap.slots()[v >>> 16];
        return p == null ? -1 : p.ownership().owner(port);
    }

    /** Filtering (RFC 4787 section 5): may the packet's source use mapping {@code mp}? */
    private boolean admits(int mp, int filtering) {
        if (filtering == PoolRuntime.FILTER_ENDPOINT_INDEPENDENT) {
            return true;
        }
        int n = 0;
        for (int s = table.firstSession(mp); s >= 0 && n < FILTER_SCAN; s = table.nextSessionOfMapping(s), n++) {
            if (table.remAddr(s) == pkt.src
                    && (filtering == PoolRuntime.FILTER_ADDRESS || table.remPort(s) == pkt.srcPort)) {
                return true;
            }
        }
        return false;
    }

    private void outsideIcmpError(PacketBurst b, int i, MemorySegment m, NatSnapshot snap) {
        // the quoted packet is one we sent: its source is our outside endpoint
        if (snap.addresses().find(pkt.innerSrc) < 0) {
            return; // about traffic that is not ours
        }
        int ip = pkt.innerProto;
        if (ip != TCP && ip != UDP && ip != ICMP) {
            drop(b, i, Drops.ICMP_UNSUPPORTED);
            return;
        }
        int outPort = pkt.innerSrcPort;
        int s = table.findOut(ip, pkt.innerSrc, outPort, pkt.innerDst, ip == ICMP ? 0 : pkt.innerDstPort);
        if (s < 0) {
            int owner = owner(snap, snap.statics().findGlobal(ip, pkt.innerSrc, outPort), pkt.innerSrc, outPort);
            if (owner >= 0 && owner != id) {
                handoff(b, i, owner);
            } else {
                drop(b, i, Drops.NO_SESSION);
            }
            return;
        }
        int mp = table.mapping(s);
        pkt.rewriteDestination(m, table.mInAddr(mp), 0);
        pkt.rewriteInnerSource(m, table.mInAddr(mp), table.mInPort(mp));
        c[CounterIndex.OUT2IN]++;
        b.setVerdict(i, Verdict.TX_INSIDE);
    }

    private void outsideOther(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
        if (!snap.otherAddressOnly()) {
            drop(b, i, Drops.OTHER_PROTOCOL);
            return;
        }
        int owner = Ownership.home(pkt.src, workers);
        if (owner != id) {
            handoff(b, i, owner);
            return;
        }
        int s = table.findOut(pkt.proto, pkt.dst, 0, pkt.src, 0);
        if (s < 0) {
            drop(b, i, Drops.NO_SESSION);
            return;
        }
        table.touch(s, now);
        pkt.rewriteDestination(m, table.mInAddr(table.mapping(s)), 0);
        c[CounterIndex.OUT2IN]++;
        b.setVerdict(i, Verdict.TX_INSIDE);
    }

    // ---------------------------------------------------------------- TCP state (RFC 7857 section 2)

    private void tcpFromInside(int s, NatSnapshot snap, long now) {
        int f = pkt.tcpFlags;
        int st = table.state(s);
        int ns = st;
        if ((f & RST) != 0) {
            ns = TRANSITORY;
        } else if ((f & FIN) != 0) {
            ns = st == ESTABLISHED ? FIN_IN : st == FIN_OUT ? FIN_BOTH : st;
        } else if ((f & SYN) != 0) {
            ns = st == INIT_OUT ? ESTABLISHED : st == TRANSITORY ? INIT_IN : st;
        }
        if (ns != st) {
            table.setState(s, ns);
            table.schedule(s, now + timeout(snap, TCP, ns));
        }
    }

    private void tcpFromOutside(int s, NatSnapshot snap, long now) {
        int f = pkt.tcpFlags;
        int st = table.state(s);
        int ns = st;
        if ((f & RST) != 0) {
            ns = TRANSITORY;
        } else if ((f & FIN) != 0) {
            ns = st == ESTABLISHED ? FIN_OUT : st == FIN_IN ? FIN_BOTH : st;
        } else if ((f & SYN) != 0) {
            ns = st == INIT_IN ? ESTABLISHED : st;
        }
        if (ns != st) {
            table.setState(s, ns);
            table.schedule(s, now + timeout(snap, TCP, ns));
        }
    }

    static long timeout(NatSnapshot snap, int proto, int state) {
        return switch (proto) {
            case TCP -> switch (state) {
                case INIT_OUT -> snap.synHoldNanos();
                case INIT_IN, FIN_BOTH, TRANSITORY -> snap.tcpTransitoryNanos();
                default -> snap.tcpEstablishedNanos();
            };
            case ICMP -> snap.icmpNanos();
            default -> snap.udpNanos();
        };
    }

    // ---------------------------------------------------------------- bookkeeping

    private void handoff(PacketBurst b, int i, int target) {
        if (b.handedOffFrom(i) >= 0) {
            // handed to us already: the sender and we disagree on the owner, so stop rather than loop
            drop(b, i, Drops.HANDOFF_LOOP);
            return;
        }
        b.setHandoff(i, target);
        c[CounterIndex.HANDOFFS]++;
    }

    private void drop(PacketBurst b, int i, int reason) {
        c[CounterIndex.DROPS + reason]++;
        b.setVerdict(i, Verdict.DROP);
    }

    private void created(int mp) {
        c[CounterIndex.CREATED]++;
        c[CounterIndex.POOLS + 3 * slot(mp) + protoIndex(table.mProto(mp))]++;
    }

    /**
     * Adds a mapping, keeping its pool slot and address index in the record's 16-bit pool and 8-bit flags
     * fields: the slot in the low byte of the pool field, the address index in the rest.
     */
    private int addMapping(int proto, int inAddr, int inPort, int outAddr, int outPort, int slot, int addrIndex) {
        return table.addMapping(proto, inAddr, inPort, outAddr, outPort, slot | (addrIndex >>> 8) << 8,
                addrIndex & 0xff);
    }

    private int slot(int mp) {
        return table.mPool(mp) & 0xff;
    }

    private int addrIndex(int mp) {
        return (table.mPool(mp) >>> 8) << 8 | table.mFlags(mp);
    }

    static int protoIndex(int proto) {
        return proto == TCP ? 0 : proto == UDP ? 1 : 2;
    }

    private void mappingEvent(int type, int mp) {
        if (!events.record(type, table.mProto(mp), slot(mp), table.mInAddr(mp), table.mInPort(mp),
                table.mOutAddr(mp), table.mOutPort(mp), System.currentTimeMillis())) {
            c[CounterIndex.EVENTS_LOST]++;
        }
    }

    /** Deletes a session and, with its last session, its mapping, giving the port back to its pool. */
    private void deleteSession(int s, long now, NatSnapshot snap) {
        int mp = table.mapping(s);
        table.removeSession(s);
        c[CounterIndex.DELETED]++;
        c[CounterIndex.POOLS + 3 * slot(mp) + protoIndex(table.mProto(mp))]--;
        if (table.mappingSessions(mp) == 0) {
            deleteMapping(mp, now, snap, true);
        }
    }

    private void deleteMapping(int mp, long now, NatSnapshot snap, boolean logged) {
        int slot = slot(mp);
        int proto = table.mProto(mp);
        if (slot != NatSnapshot.STATIC_SLOT && (proto == TCP || proto == UDP || proto == ICMP)) {
            PoolRuntime p = snap.slots()[slot];
            if (p != null) {
                p.allocator(id).release(proto, addrIndex(mp), table.mOutPort(mp), now);
            }
            table.hostAdd(table.mInAddr(mp), proto, -1);
        }
        if (logged) {
            mappingEvent(EventRing.DELETED, mp);
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
        if (firstRun) {
            firstRun(snap);
        }
        for (int k = 0; k < EXPIRE_PER_TICK; k++) {
            int s = table.pollDue(now);
            if (s < 0) {
                break;
            }
            int mp = table.mapping(s);
            long due = table.lastSeen(s) + timeout(snap, table.mProto(mp), table.state(s));
            if (due > now) {
                table.schedule(s, due);
            } else {
                deleteSession(s, now, snap);
            }
        }
        for (PoolRuntime p : snap.slots()) {
            if (p != null) {
                p.allocator(id).tick(now);
            }
        }
        if (current == null) {
            current = engine.takeRequest(id);
            cursor = 0;
        }
        boolean answered = current != null && answer(current, snap, now);
        publishCounters();
        if (answered) {
            // after publishing, so the caller reads counters that include what the request changed
            current.complete();
            current = null;
        }
    }

    private void publishCounters() {
        c[CounterIndex.DROPS + Drops.EVENT_LOG_FULL] = c[CounterIndex.EVENTS_LOST];
        for (int k = 0; k < CounterIndex.COUNT; k++) {
            COUNTER.setOpaque(published, 8L * k, c[k]);
        }
    }

    /** Works on a control request for at most {@link #SCAN_PER_TICK} sessions; true once it is answered. */
    private boolean answer(WorkerRequest r, NatSnapshot snap, long now) {
        switch (r.kind) {
            case WorkerRequest.RESERVE, WorkerRequest.UNRESERVE -> {
                r.count = portChange(r.kind, r.protocol, r.poolSlot, r.addrIndex, r.port, snap) ? 1 : 0;
                return true;
            }
            default -> {
                int scanned = 0;
                int s = table.nextLive(cursor);
                while (s >= 0 && scanned < SCAN_PER_TICK && r.count < r.limit) {
                    int next = table.nextLive(s + 1);
                    if (matches(r, s)) {
                        if (r.kind == WorkerRequest.LIST) {
                            copy(r, s, now);
                        } else {
                            deleteSession(s, now, snap);
                        }
                        r.count++;
                    }
                    scanned++;
                    s = next;
                }
                cursor = s;
                return s < 0 || r.count >= r.limit;
            }
        }
    }

    /** Reserves or unreserves a port in this worker's allocator of a pool slot; false if it holds no such port. */
    private boolean portChange(int kind, int proto, int poolSlot, int addrIndex, int port, NatSnapshot snap) {
        PoolRuntime p = poolSlot >= 0 && poolSlot < snap.slots().length ? snap.slots()[poolSlot] : null;
        if (p == null) {
            return false;
        }
        if (kind == WorkerRequest.RESERVE) {
            return p.allocator(id).reserve(proto, addrIndex, port);
        }
        p.allocator(id).unreserve(proto, addrIndex, port);
        return true;
    }

    private boolean matches(WorkerRequest r, int s) {
        int mp = table.mapping(s);
        return (r.protocol == 0 || r.protocol == table.mProto(mp)) && (!r.hasInside || r.inside == table.mInAddr(mp))
                && (!r.hasRemote || r.remote == table.remAddr(s)) && (r.poolSlot < 0 || r.poolSlot == slot(mp));
    }

    private void copy(WorkerRequest r, int s, long now) {
        int mp = table.mapping(s);
        long[] row = r.rows;
        int o = r.count * SessionRow.FIELDS;
        row[o + SessionRow.PROTOCOL] = table.mProto(mp);
        row[o + SessionRow.INSIDE_ADDR] = table.mInAddr(mp);
        row[o + SessionRow.INSIDE_PORT] = table.mInPort(mp);
        row[o + SessionRow.OUTSIDE_ADDR] = table.mOutAddr(mp);
        row[o + SessionRow.OUTSIDE_PORT] = table.mOutPort(mp);
        row[o + SessionRow.REMOTE_ADDR] = table.remAddr(s);
        row[o + SessionRow.REMOTE_PORT] = table.remPort(s);
        row[o + SessionRow.STATE] = table.state(s);
        row[o + SessionRow.IDLE_NANOS] = Math.max(0, now - table.lastSeen(s));
        row[o + SessionRow.POOL_SLOT] = slot(mp);
        row[o + SessionRow.WORKER] = id;
        row[o + SessionRow.AGE_NANOS] = Math.max(0, now - table.created(s));
    }

    @Override
    public void close() {
        table.close();
    }
}
