package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.NatWorker.ACK;
import static dev.natgw.nat.fastpath.NatWorker.FIN;
import static dev.natgw.nat.fastpath.NatWorker.ICMP;
import static dev.natgw.nat.fastpath.NatWorker.RST;
import static dev.natgw.nat.fastpath.NatWorker.SYN;
import static dev.natgw.nat.fastpath.NatWorker.TCP;
import static dev.natgw.nat.fastpath.NatWorker.UDP;
import static dev.natgw.nat.handover.TcpStateCodes.INIT_IN;
import static dev.natgw.nat.handover.TcpStateCodes.NONE;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.handover.Drops;
import java.lang.foreign.MemorySegment;

/**
 * The inside-to-outside path of one worker (VPP's {@code nat44-ed-in2out}): translates the source of packets from
 * inside hosts, creating mappings and sessions on the inside host's home worker, allocating outside ports from the
 * pools, enforcing quotas, and the inside halves of ICMP errors, other protocols and hairpins. Runs on exactly one
 * worker thread, on the packet {@link NatWorker} parsed; never blocks, never allocates, never locks, never logs.
 */
final class In2Out {
    private final NatWorker w;
    private final SessionTable table;
    private final Packet pkt;
    private final long[] c;
    private final EventRing events;
    private final int id;
    private final int workers;
    private final Out2In out2in;
    /**
     * The ICMP answer budget as a virtual time (GCRA): an answer is due one interval after the last, and the budget
     * never runs more than a second's worth behind the clock, so a second's answers may go out at once.
     */
    private long icmpBudgetAt;
    private boolean icmpBudgetUsed;

    In2Out(NatWorker w, Out2In out2in) {
        this.w = w;
        this.table = w.table;
        this.pkt = w.pkt;
        this.c = w.c;
        this.events = w.events;
        this.id = w.id;
        this.workers = w.workers;
        this.out2in = out2in;
    }

    void inside(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
        int proto = pkt.proto;
        if (pkt.icmpError) {
            insideIcmpError(b, i, m, snap);
            return;
        }
        if (b.handedOffFrom(i) >= 0 && snap.addresses().find(pkt.src) >= 0) {
            // second half of a hairpin: the home worker already translated the source
            out2in.toInside(b, i, m, snap, now, pkt.dstPort, false);
            return;
        }
        if (snap.addresses().find(pkt.src) >= 0) {
            // no inside host may use a global address of ours; dropped here, it can never pose as a hairpin's half
            w.drop(b, i, Drops.SPOOFED_SOURCE);
            return;
        }
        if (!snap.inside().contains(pkt.src)) {
            // checked before the handoff, so a spoofed flood costs the receiving worker one scan and nothing else
            w.drop(b, i, Drops.SOURCE_NOT_INSIDE);
            return;
        }
        if (proto != TCP && proto != UDP && proto != ICMP) {
            insideOther(b, i, m, snap, now);
            return;
        }
        int home = Ownership.home(pkt.src, workers);
        if (home != id) {
            w.handoff(b, i, home);
            return;
        }
        int remPort = proto == ICMP ? 0 : pkt.dstPort;
        int s = table.findIn(w.hint(i), proto, pkt.src, pkt.srcPort, pkt.dst, remPort);
        if (s < 0) {
            s = newFromInside(b, i, m, snap, now, remPort);
            if (s < 0) {
                return;
            }
        } else {
            table.touch(s, now);
            if (proto == UDP && table.unanswered(s)) {
                // the inside host answered: the session now lives the UDP timeout; the expiry handler reschedules
                table.setUnanswered(s, false);
            }
            if (proto == TCP && (pkt.tcpFlags & (SYN | FIN | RST)) != 0) {
                TcpStates.fromInside(table, pkt.tcpFlags, s, snap, now);
            }
        }
        int mp = table.mapping(s);
        pkt.rewriteSource(m, table.mOutAddr(mp), table.mOutPort(mp));
        c[CounterIndex.IN2OUT]++;
        if (snap.addresses().find(pkt.dst) >= 0) {
            // hairpin: an inside host reached another one through its outside endpoint; the packet may
            // already have been handed to this home worker, and may need one more hop to the outside end's owner
            out2in.toInside(b, i, m, snap, now, pkt.dstPort, true);
            return;
        }
        b.setVerdict(i, Verdict.TX_OUTSIDE);
    }

    private int newFromInside(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now, int remPort) {
        int proto = pkt.proto;
        if (proto == TCP && (pkt.tcpFlags & (SYN | ACK | RST)) != SYN) {
            w.drop(b, i, Drops.TCP_NO_SESSION);
            return -1;
        }
        if (proto == ICMP && pkt.icmpType != 8) {
            w.drop(b, i, Drops.NO_SESSION);
            return -1;
        }
        if (!Checksum.l4Valid(m, pkt)) {
            w.drop(b, i, Drops.BAD_L4_CHECKSUM);
            return -1;
        }
        int mp = table.findMappingIn(proto, pkt.src, pkt.srcPort);
        if (mp >= 0) {
            int slot = w.slot(mp);
            boolean reusable = slot == NatSnapshot.STATIC_SLOT
                    || snap.slots()[slot] != null && snap.slots()[slot].endpointIndependentMapping;
            if (!reusable) {
                mp = -1;
            }
        }
        boolean newMapping = false;
        if (mp >= 0 && w.limited(mp)) {
            PoolRuntime p = snap.slots()[w.slot(mp)];
            if (p != null && p.sessionsPerHost > 0 && table.hostSessions(pkt.src) >= p.sessionsPerHost) {
                refuse(b, i, m, snap, now, p, Drops.SESSION_LIMIT);
                return -1;
            }
        }
        if (mp < 0) {
            int st = snap.statics().findInside(proto, pkt.src, pkt.srcPort);
            if (st >= 0) {
                mp = table.addMapping(proto, pkt.src, pkt.srcPort, snap.statics().globalAddr(st),
                        snap.statics().globalPort(st), NatSnapshot.STATIC_SLOT, 0);
                if (mp < 0) {
                    w.drop(b, i, Drops.SESSION_TABLE_FULL);
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
                w.deleteMapping(mp, now, snap, false);
            }
            w.drop(b, i, Drops.SESSION_TABLE_FULL);
            return -1;
        }
        if (newMapping) {
            w.mappingEvent(EventRing.CREATED, mp, snap);
        }
        int state = proto == TCP ? INIT_IN : NONE;
        table.setState(s, state);
        table.schedule(s, now + TcpStates.timeout(snap, proto, state));
        w.created(mp);
        return s;
    }

    /** Takes a port from the first active pool that has one; sets the verdict and returns -1 when refused. */
    private int allocateMapping(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now, int remPort) {
        int proto = pkt.proto;
        PoolRuntime[] active = snap.active();
        if (active.length == 0) {
            w.drop(b, i, Drops.POOL_EXHAUSTED);
            c[CounterIndex.EXHAUSTED]++;
            return -1;
        }
        PoolRuntime refusedBy = active[0];
        int refusal = Drops.POOL_EXHAUSTED;
        for (PoolRuntime p : active) {
            refusal = hostLimit(p, proto, now);
            if (refusal >= 0) {
                refusedBy = p;
                break;
            }
            refusal = Drops.POOL_EXHAUSTED;
            if (p.blocks) {
                int mp = blockMapping(b, i, p, proto, remPort, now);
                if (mp >= 0 || mp == TABLE_FULL) {
                    return mp >= 0 ? mp : -1;
                }
                refusal = blockRefusal;
                if (refusal != Drops.POOL_EXHAUSTED) {
                    refusedBy = p;
                    break;
                }
                continue;
            }
            PortAllocator a = p.allocator(id);
            int[] addrs = p.addresses();
            int first = p.firstAddress(a, pkt.src, pkt.srcPort);
            int tries = p.paired ? 1 : Math.min(addrs.length, 8);
            for (int t = 0; t < tries; t++) {
                int addrIndex = (first + t) % addrs.length;
                int outAddr = addrs[addrIndex];
                int port = w.ahead.allocate(i, a, proto, addrIndex, pkt.dst, remPort);
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
                    refusal = Drops.HOST_TABLE_FULL;
                    refusedBy = p;
                    break;
                }
                int mp = w.addMapping(proto, pkt.src, pkt.srcPort, outAddr, port, p.slot(), addrIndex);
                if (mp < 0) {
                    table.hostAdd(pkt.src, proto, -1);
                    a.release(proto, addrIndex, port, now);
                    w.drop(b, i, Drops.SESSION_TABLE_FULL);
                    return -1;
                }
                if (p.mappingInterval > 0) {
                    table.hostMapped(pkt.src, p.mappingInterval, now);
                }
                return mp;
            }
            if (refusal != Drops.POOL_EXHAUSTED) {
                break;
            }
        }
        refuse(b, i, m, snap, now, refusedBy, refusal);
        return -1;
    }

    /** {@link #blockMapping}'s answer when it dropped the packet itself. */
    private static final int TABLE_FULL = -2;
    /** Why the last {@link #blockMapping} returned -1: a {@link Drops} code. */
    private int blockRefusal;

    /**
     * Maps the packet's inside endpoint to a port of its host's blocks in a port-block or deterministic pool,
     * logging a block the host newly got (port-block mode); -1 with {@link #blockRefusal} set when the pool refuses,
     * {@link #TABLE_FULL} when the session table was full (the packet is dropped).
     */
    private int blockMapping(PacketBurst b, int i, PoolRuntime p, int proto, int remPort, long now) {
        BlockAllocator ba = p.blocks(id);
        int port = ba.allocate(proto, pkt.src, pkt.dst, remPort);
        if (port < 0) {
            blockRefusal = ba.lastRefusal == BlockAllocator.REFUSED_LIMIT ? Drops.QUOTA : Drops.POOL_EXHAUSTED;
            return -1;
        }
        int addrIndex = ba.lastAddress;
        boolean newBlock = ba.lastNewBlock;
        int outAddr = p.addresses()[addrIndex];
        if (!table.hostAdd(pkt.src, proto, 1)) {
            ba.release(proto, addrIndex, port, now);
            blockRefusal = Drops.HOST_TABLE_FULL;
            return -1;
        }
        int mp = w.addMapping(proto, pkt.src, pkt.srcPort, outAddr, port, p.slot(), addrIndex);
        if (mp < 0) {
            table.hostAdd(pkt.src, proto, -1);
            ba.release(proto, addrIndex, port, now);
            w.drop(b, i, Drops.SESSION_TABLE_FULL);
            return TABLE_FULL;
        }
        if (newBlock && p.logsBlocks) {
            int size = ba.blockSize();
            w.blockEvent(EventRing.BLOCK_ALLOCATED, p.slot(), pkt.src, outAddr, port - (port & (size - 1)), size);
        }
        if (p.mappingInterval > 0) {
            table.hostMapped(pkt.src, p.mappingInterval, now);
        }
        return mp;
    }

    /**
     * The first of pool {@code p}'s per-host limits a new mapping of the packet's inside host would break: its port
     * quota ({@link Drops#QUOTA}), its sessions ({@link Drops#SESSION_LIMIT}) or its bucket of new mappings
     * ({@link Drops#MAPPING_RATE}); -1 if none.
     */
    private int hostLimit(PoolRuntime p, int proto, long now) {
        if (p.quota > 0 && table.hostPorts(pkt.src, proto) >= p.quota) {
            return Drops.QUOTA;
        }
        if (p.sessionsPerHost > 0 && table.hostSessions(pkt.src) >= p.sessionsPerHost) {
            return Drops.SESSION_LIMIT;
        }
        if (p.mappingInterval > 0 && !table.hostMayMap(pkt.src, p.mappingInterval, p.mappingBurst, now)) {
            return Drops.MAPPING_RATE;
        }
        return -1;
    }

    /**
     * Takes one ICMP answer from this worker's budget of {@code perSecond} a second: a host that keeps opening
     * flows against a full pool cannot turn natgw into an ICMP generator (RFC 1812 4.3.2.8).
     */
    private boolean icmpBudget(int perSecond, long now) {
        if (perSecond <= 0) {
            return false;
        }
        long interval = 1_000_000_000L / perSecond;
        long floor = now - 1_000_000_000L;
        if (!icmpBudgetUsed || icmpBudgetAt - floor < 0) {
            icmpBudgetAt = floor;
            icmpBudgetUsed = true;
        }
        if (icmpBudgetAt + interval - now > 0) {
            c[CounterIndex.DROPS + Drops.ICMP_RATE_LIMITED]++;
            return false;
        }
        icmpBudgetAt += interval;
        return true;
    }

    /**
     * Refuses a new flow for {@code reason} ({@link Drops#POOL_EXHAUSTED}, {@link Drops#HOST_TABLE_FULL},
     * {@link Drops#QUOTA}, {@link Drops#SESSION_LIMIT} or {@link Drops#MAPPING_RATE}): counts it, logs the event
     * (except a refusal by rate, which a flood makes by the thousand and the counter already tells), and answers with
     * an ICMP destination unreachable when the pool says so and the worker's ICMP budget allows.
     */
    private void refuse(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now, PoolRuntime p,
            int reason) {
        boolean exhausted = reason == Drops.POOL_EXHAUSTED || reason == Drops.HOST_TABLE_FULL;
        c[exhausted ? CounterIndex.EXHAUSTED : CounterIndex.QUOTA]++;
        c[CounterIndex.DROPS + reason]++;
        w.outcome = reason;
        if (reason != Drops.MAPPING_RATE && !events.record(exhausted
                ? EventRing.REFUSED_EXHAUSTED
                : EventRing.REFUSED_QUOTA, pkt.proto, p.slot(), pkt.src, pkt.srcPort, 0, 0, w.eventMillis())) {
            c[CounterIndex.EVENTS_LOST]++;
        }
        if (p.icmpOnExhaustion && icmpBudget(snap.icmpAnswersPerSecond(), now)) {
            int[] addrs = p.addresses();
            int from = addrs[PortAllocator.addressIndex(pkt.src, addrs.length)];
            int len = IcmpReplies.unreachable(m, b.dataOffset(i), pkt, from, IcmpReplies.CODE_PROHIBITED);
            b.setLength(i, len);
            b.setVerdict(i, Verdict.TX_INSIDE);
        } else {
            b.setVerdict(i, Verdict.DROP);
        }
    }

    private void insideIcmpError(PacketBurst b, int i, MemorySegment m, NatSnapshot snap) {
        // the quoted packet went from a remote to the inside host: its destination is the session's inside end
        if (snap.icmpErrorsFromQuotedDestination() ? pkt.src != pkt.innerDst : !snap.inside().contains(pkt.src)) {
            // otherwise any inside host could report, and so tear down or probe, another host's sessions
            w.drop(b, i, Drops.ICMP_ERROR_SOURCE);
            return;
        }
        int ip = pkt.innerProto;
        if (ip != TCP && ip != UDP && ip != ICMP) {
            w.drop(b, i, Drops.ICMP_UNSUPPORTED);
            return;
        }
        int home = Ownership.home(pkt.innerDst, workers);
        if (home != id) {
            w.handoff(b, i, home);
            return;
        }
        int s = table.findIn(ip, pkt.innerDst, pkt.innerDstPort, pkt.innerSrc, ip == ICMP ? 0 : pkt.innerSrcPort);
        if (s < 0) {
            w.drop(b, i, Drops.NO_SESSION);
            return;
        }
        if (!Checksum.l4Valid(m, pkt)) {
            // RFC 5508 REQ-3: the rewrite below adjusts the checksum incrementally, which would bless a bad one
            w.drop(b, i, Drops.BAD_L4_CHECKSUM);
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
            w.drop(b, i, Drops.OTHER_PROTOCOL);
            return;
        }
        int owner = Ownership.home(pkt.dst, workers);
        if (owner != id) {
            w.handoff(b, i, owner);
            return;
        }
        int proto = pkt.proto;
        int s = table.findIn(proto, pkt.src, 0, pkt.dst, 0);
        if (s < 0) {
            PoolRuntime[] active = snap.active();
            if (active.length == 0) {
                w.drop(b, i, Drops.POOL_EXHAUSTED);
                c[CounterIndex.EXHAUSTED]++;
                return;
            }
            PoolRuntime p = active[0];
            int addrIndex = PortAllocator.addressIndex(pkt.src, p.addresses().length);
            int outAddr = p.addresses()[addrIndex];
            if (table.findOut(proto, outAddr, 0, pkt.dst, 0) >= 0) {
                // another inside host already talks this protocol to this remote from the same address
                w.drop(b, i, Drops.MAPPING_CONFLICT);
                return;
            }
            int mp = table.findMappingIn(proto, pkt.src, 0);
            boolean newMapping = mp < 0;
            if (newMapping) {
                mp = w.addMapping(proto, pkt.src, 0, outAddr, 0, p.slot(), addrIndex);
                if (mp < 0) {
                    w.drop(b, i, Drops.SESSION_TABLE_FULL);
                    return;
                }
            }
            s = table.addSession(mp, pkt.dst, 0, now);
            if (s < 0) {
                if (newMapping) {
                    table.removeMapping(mp);
                }
                w.drop(b, i, Drops.SESSION_TABLE_FULL);
                return;
            }
            table.schedule(s, now + snap.udpNanos());
            w.created(mp);
        } else {
            table.touch(s, now);
        }
        pkt.rewriteSource(m, table.mOutAddr(table.mapping(s)), 0);
        c[CounterIndex.IN2OUT]++;
        b.setVerdict(i, Verdict.TX_OUTSIDE);
    }
}
