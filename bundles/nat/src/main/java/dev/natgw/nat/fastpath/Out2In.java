package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.NatWorker.ACK;
import static dev.natgw.nat.fastpath.NatWorker.FIN;
import static dev.natgw.nat.fastpath.NatWorker.ICMP;
import static dev.natgw.nat.fastpath.NatWorker.RST;
import static dev.natgw.nat.fastpath.NatWorker.SYN;
import static dev.natgw.nat.fastpath.NatWorker.TCP;
import static dev.natgw.nat.fastpath.NatWorker.UDP;
import static dev.natgw.nat.handover.TcpStateCodes.INIT_OUT;
import static dev.natgw.nat.handover.TcpStateCodes.NONE;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.handover.Drops;
import java.lang.foreign.MemorySegment;

/**
 * The outside-to-inside path of one worker (VPP's {@code nat44-ed-out2in}): translates the destination of packets
 * to the pools' and static mappings' outside endpoints, applying the filtering behaviour, creating sessions for
 * static mappings and accepted outside SYNs, and the outside halves of ICMP errors, other protocols and hairpins.
 * Runs on exactly one worker thread, on the packet {@link NatWorker} parsed; never blocks, never allocates, never
 * locks, never logs.
 */
final class Out2In {
    /** Sessions of one mapping examined by address-dependent filtering. */
    static final int FILTER_SCAN = 1024;

    private final NatWorker w;
    private final SessionTable table;
    private final Packet pkt;
    private final long[] c;
    private final int id;
    private final int workers;

    Out2In(NatWorker w) {
        this.w = w;
        this.table = w.table;
        this.pkt = w.pkt;
        this.c = w.c;
        this.id = w.id;
        this.workers = w.workers;
    }

    void outside(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
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
            w.drop(b, i, Drops.NO_SESSION);
            return;
        }
        toInside(b, i, m, snap, now, pkt.dstPort, false);
    }

    /** Translates the destination of a packet for one of our outside endpoints (also the hairpin's half). */
    void toInside(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now, int outPort,
            boolean secondHop) {
        int proto = pkt.proto;
        int remPort = proto == ICMP ? 0 : pkt.srcPort;
        int s = table.findOut(secondHop ? -1 : w.hint(i), proto, pkt.dst, outPort, pkt.src, remPort);
        if (s >= 0) {
            if (snap.inboundRefresh() && !table.unanswered(s)) {
                // only where inbound packets refresh at all (RFC 4787 REQ-6 asks outbound refresh, makes inbound a
                // choice); an unanswered session keeps its deadline: an outside sender alone cannot hold table space
                table.touch(s, now);
            }
            if (proto == TCP && (pkt.tcpFlags & (SYN | FIN | RST)) != 0) {
                TcpStates.fromOutside(table, pkt.tcpFlags, s, snap, now);
            }
        } else {
            int st = snap.statics().findGlobal(proto, pkt.dst, outPort);
            int owner = owner(snap, st, pkt.dst, outPort);
            if (owner < 0) {
                w.drop(b, i, Drops.NO_SESSION);
                return;
            }
            if (owner != id) {
                if (secondHop) {
                    b.setHandoff(i, owner);
                    c[CounterIndex.HANDOFFS]++;
                } else {
                    w.handoff(b, i, owner);
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
            w.drop(b, i, Drops.NO_SESSION);
            return -1;
        }
        int mp = -1;
        boolean newMapping = false;
        PoolRuntime pool = null;
        if (st >= 0) {
            int inAddr = snap.statics().insideAddr(st);
            int inPort = snap.statics().insidePort(st);
            mp = table.findMappingIn(proto, inAddr, inPort);
            if (mp >= 0 && w.slot(mp) != NatSnapshot.STATIC_SLOT) {
                mp = -1;
            }
            if (mp < 0) {
                if (proto == TCP && !syn) {
                    w.drop(b, i, Drops.TCP_NO_SESSION);
                    return -1;
                }
                mp = table.addMapping(proto, inAddr, inPort, pkt.dst, outPort, NatSnapshot.STATIC_SLOT, 0);
                if (mp < 0) {
                    w.drop(b, i, Drops.SESSION_TABLE_FULL);
                    return -1;
                }
                newMapping = true;
            }
        } else {
            int any = table.findMappingOut(proto, pkt.dst, outPort);
            if (any < 0) {
                w.drop(b, i, syn ? Drops.UNSOLICITED_SYN : Drops.NO_SESSION);
                return -1;
            }
            for (int cand = any; cand >= 0 && mp < 0; cand = table.nextMappingOut(cand)) {
                PoolRuntime p = w.slot(cand) == NatSnapshot.STATIC_SLOT ? null : snap.slots()[w.slot(cand)];
                if (p != null && admits(cand, p.filtering)) {
                    mp = cand;
                    pool = p;
                }
            }
            if (mp < 0) {
                w.drop(b, i, syn ? Drops.UNSOLICITED_SYN : Drops.FILTERED);
                return -1;
            }
        }
        if (proto == TCP && !syn) {
            w.drop(b, i, Drops.TCP_NO_SESSION);
            return -1;
        }
        if (pool != null) {
            // what outside packets may open on a pool mapping: bounded per mapping, and within its host's sessions
            if (pool.inboundPerMapping > 0 && table.mappingSessions(mp) >= pool.inboundPerMapping) {
                w.drop(b, i, Drops.INBOUND_LIMIT);
                return -1;
            }
            if (pool.sessionsPerHost > 0 && table.hostSessions(table.mInAddr(mp)) >= pool.sessionsPerHost) {
                c[CounterIndex.QUOTA]++;
                w.drop(b, i, Drops.SESSION_LIMIT);
                return -1;
            }
        }
        if (!Checksum.l4Valid(m, pkt)) {
            if (newMapping) {
                table.removeMapping(mp);
            }
            w.drop(b, i, Drops.BAD_L4_CHECKSUM);
            return -1;
        }
        int s = table.addSession(mp, pkt.src, remPort, now);
        if (s < 0) {
            if (newMapping) {
                table.removeMapping(mp);
            }
            w.drop(b, i, Drops.SESSION_TABLE_FULL);
            return -1;
        }
        if (newMapping) {
            w.mappingEvent(EventRing.CREATED, mp, snap);
        }
        int state = proto == TCP ? INIT_OUT : NONE;
        table.setState(s, state);
        if (proto == UDP) {
            table.setUnanswered(s, true);
            table.schedule(s, now + snap.unansweredNanos());
        } else {
            table.schedule(s, now + TcpStates.timeout(snap, proto, state));
        }
        w.created(mp);
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
            w.drop(b, i, Drops.ICMP_UNSUPPORTED);
            return;
        }
        int outPort = pkt.innerSrcPort;
        int s = table.findOut(ip, pkt.innerSrc, outPort, pkt.innerDst, ip == ICMP ? 0 : pkt.innerDstPort);
        if (s < 0) {
            int owner = owner(snap, snap.statics().findGlobal(ip, pkt.innerSrc, outPort), pkt.innerSrc, outPort);
            if (owner >= 0 && owner != id) {
                w.handoff(b, i, owner);
            } else {
                w.drop(b, i, Drops.NO_SESSION);
            }
            return;
        }
        if (!Checksum.l4Valid(m, pkt)) {
            // RFC 5508 REQ-3: the rewrite below adjusts the checksum incrementally, which would bless a bad one
            w.drop(b, i, Drops.BAD_L4_CHECKSUM);
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
            w.drop(b, i, Drops.OTHER_PROTOCOL);
            return;
        }
        int owner = Ownership.home(pkt.src, workers);
        if (owner != id) {
            w.handoff(b, i, owner);
            return;
        }
        int s = table.findOut(pkt.proto, pkt.dst, 0, pkt.src, 0);
        if (s < 0) {
            w.drop(b, i, Drops.NO_SESSION);
            return;
        }
        if (snap.inboundRefresh()) {
            table.touch(s, now);
        }
        pkt.rewriteDestination(m, table.mInAddr(table.mapping(s)), 0);
        c[CounterIndex.OUT2IN]++;
        b.setVerdict(i, Verdict.TX_INSIDE);
    }
}
