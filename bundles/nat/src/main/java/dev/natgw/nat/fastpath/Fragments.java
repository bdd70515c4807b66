package dev.natgw.nat.fastpath;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.Verdict;
import dev.natgw.nat.handover.CounterIndex;
import dev.natgw.nat.handover.Drops;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * One worker's fragment state (RFC 4787 REQ-14, RFC 5508): translates the fragments of TCP, UDP and ICMP datagrams
 * without reassembling them. Only a datagram's first fragment carries the ports, so the translator runs on it as on
 * a whole packet, and this table remembers what came of it per datagram, named by (source, destination, protocol,
 * identification, receiving port): the addresses it went out with and its verdict (sent inside or outside, handed
 * to the worker that owns the session, dropped by a reason, or left to other stages). Later fragments get the same
 * addresses (the IPv4 header checksum follows; the L4 checksum travelled in the first fragment) and the same
 * verdict. A fragment that comes before its first fragment is held (its buffer {@link Verdict#STOLEN}) until the
 * first comes, and is then appended to a burst of this worker with its verdict, or dropped when the datagram's
 * state times out.
 *
 * <p>
 * All fragments of a datagram reach one worker, as the NIC's RSS hashes fragments by their addresses only; that
 * worker decides from the first fragment and hands the rest to the same owner the first went to, in order, on the
 * same ring, where the owner's own table translates them.
 *
 * <p>
 * <b>Bounds</b> (REQ-14a: fragment state is a denial-of-service target): at most {@link FragmentLimits#states}
 * datagrams and {@link FragmentLimits#held} held fragments per worker, at most {@link FragmentLimits#perDatagram}
 * fragments per datagram, every state dropped {@code timeout} after it was made; memory is allocated once, at
 * construction. The offsets each datagram has seen are kept, so overlapping fragments (RFC 1858, RFC 3128) and a
 * second last fragment are refused with the rest of their datagram; a datagram whose fragments have all been seen
 * frees its state at once. The index hash is seeded per worker, so a sender cannot aim its keys at one chain.
 *
 * <p>
 * Runs on exactly one worker thread; never blocks, never allocates after construction, never locks. Not handed
 * over across a bundle update: the next revision starts with an empty table, and fragments held at that moment are
 * neither sent nor freed (at most {@code held} buffers per worker).
 */
final class Fragments {
    private static final byte FREE = 0;
    /** The first fragment has not come: later ones are held. */
    private static final byte WAITING = 1;
    /** The first fragment came: {@link #eVerdict} says what happens to the rest. */
    private static final byte DECIDED = 2;
    /** Too many or invalid fragments: the rest is dropped by {@link #eTarget}'s reason until the state times out. */
    private static final byte REFUSED = 3;

    private final NatWorker w;
    private final long[] c;
    /** Parses a held fragment again when it is released, so its addresses can be rewritten. */
    private final Packet heldPkt = new Packet();
    private final int states;
    private final int heldMax;
    private final int perDatagram;
    private final int seed;

    private final int[] heads;
    private final int mask;
    /** The next entry of a bucket's chain, or of the free list. */
    private final int[] eNext;
    private final int[] eSrc;
    private final int[] eDst;
    /** The identification, the protocol shifted by 16 and the receiving port by 24, or-ed. */
    private final int[] eKey;
    private final byte[] eState;
    private final byte[] eVerdict;
    /** The hand-off target, or the drop reason. */
    private final int[] eTarget;
    private final int[] eNewSrc;
    private final int[] eNewDst;
    private final int[] eCount;
    private final int[] eBytes;
    /** The datagram's payload length once its last fragment came, else -1. */
    private final int[] eEnd;
    /** {@code perDatagram} ranges per entry, the start shifted by 16 or-ed with the end, in bytes of the IP payload. */
    private final int[] ranges;
    private final int[] eHeldHead;
    private final int[] eHeldTail;
    private final long[] eBorn;
    /** The age list, oldest first: every live entry, in the order it was made. */
    private final int[] eOlder;
    private final int[] eNewer;
    private int oldest = -1;
    private int newest = -1;
    private int freeEntry;
    private int live;

    private final long[] hHandle;
    private final long[] hOffset;
    private final int[] hLength;
    private final int[] hFrom;
    private final int[] hNext;
    private final int[] hTarget;
    private final byte[] hInPort;
    private final byte[] hVerdict;
    private int freeHeld;
    /** Buffers this table owns: held, and released but not yet appended to a burst. */
    private int heldCount;
    private int readyHead = -1;
    private int readyTail = -1;

    /**
     * Makes a worker's table; on the worker thread, before its first packet.
     *
     * @param w the worker, whose paths translate first fragments and whose counters this updates
     * @param limits the bounds
     */
    Fragments(NatWorker w, FragmentLimits limits) {
        this.w = w;
        this.c = w.c;
        this.states = limits.states();
        this.heldMax = limits.held();
        this.perDatagram = limits.perDatagram();
        this.seed = new SplittableRandom().nextInt() | 1;
        int buckets = Integer.highestOneBit(Math.max(1, states) * 2 - 1) << 1;
        this.heads = new int[buckets];
        java.util.Arrays.fill(heads, -1);
        this.mask = buckets - 1;
        int n = states;
        eNext = new int[n];
        eSrc = new int[n];
        eDst = new int[n];
        eKey = new int[n];
        eState = new byte[n];
        eVerdict = new byte[n];
        eTarget = new int[n];
        eNewSrc = new int[n];
        eNewDst = new int[n];
        eCount = new int[n];
        eBytes = new int[n];
        eEnd = new int[n];
        ranges = new int[n * perDatagram];
        eHeldHead = new int[n];
        eHeldTail = new int[n];
        eBorn = new long[n];
        eOlder = new int[n];
        eNewer = new int[n];
        for (int e = 0; e < n; e++) {
            eNext[e] = e + 1 < n ? e + 1 : -1;
        }
        freeEntry = n > 0 ? 0 : -1;
        int h = heldMax;
        hHandle = new long[h];
        hOffset = new long[h];
        hLength = new int[h];
        hFrom = new int[h];
        hNext = new int[h];
        hTarget = new int[h];
        hInPort = new byte[h];
        hVerdict = new byte[h];
        for (int k = 0; k < h; k++) {
            hNext[k] = k + 1 < h ? k + 1 : -1;
        }
        freeHeld = h > 0 ? 0 : -1;
    }

    /** {@return the heap bytes of this table's arrays (their contents; each array adds a 16-byte header)} */
    long bytes() {
        long ints = heads.length + ranges.length + 14L * states + 4L * heldMax;
        long longs = states + 2L * heldMax;
        long bytes = 2L * states + 2L * heldMax;
        return 4 * ints + 8 * longs + bytes;
    }

    /** {@return the datagrams tracked now} */
    int live() {
        return live;
    }

    /** {@return the fragment buffers this table owns now, held or waiting to be appended to a burst} */
    int held() {
        return heldCount;
    }

    /**
     * Handles the TCP, UDP or ICMP fragment the worker just parsed into {@link NatWorker#pkt}: runs the translator on
     * a first fragment and records the outcome, applies a recorded outcome to a later fragment, holds one that comes
     * early, or drops it by reason.
     */
    void handle(PacketBurst b, int i, MemorySegment m, NatSnapshot snap, long now) {
        Packet p = w.pkt;
        if (states == 0) {
            w.drop(b, i, Drops.FRAGMENT);
            return;
        }
        int key = p.ipId | p.proto << 16 | b.inPort(i) << 24;
        int e = find(p.src, p.dst, key);
        if (e < 0) {
            e = allocate(p.src, p.dst, key, now);
            if (e < 0) {
                w.drop(b, i, Drops.FRAGMENT_TABLE_FULL);
                return;
            }
        }
        if (eState[e] == REFUSED) {
            w.drop(b, i, eTarget[e]);
            return;
        }
        boolean first = p.fragmentOffset == 0;
        if (!first && eState[e] == WAITING && heldCount >= heldMax) {
            w.drop(b, i, Drops.FRAGMENT_TABLE_FULL);
            return;
        }
        int bad = record(e, p.fragmentOffset, p.totalLength - p.ihl, p.moreFragments);
        if (bad >= 0) {
            refuse(e, bad, m);
            w.drop(b, i, bad);
            return;
        }
        if (first) {
            w.outcome = -1;
            w.translate(b, i, m, snap, now);
            decide(e, b, i, p);
            release(e, m);
        } else if (eState[e] == DECIDED) {
            apply(e, p, m, b, i);
        } else {
            hold(e, b, i);
            return;
        }
        if (eEnd[e] >= 0 && eBytes[e] == eEnd[e]) {
            // every byte of the datagram went through: nothing more can belong to it
            free(e);
        }
    }

    /**
     * Drops a fragment the parser refused, and with it the rest of its datagram: its held fragments now, its later
     * ones when they come.
     */
    void refused(PacketBurst b, int i, int reason, long now) {
        Packet p = w.pkt;
        if (states > 0) {
            int key = p.ipId | p.proto << 16 | b.inPort(i) << 24;
            int e = find(p.src, p.dst, key);
            if (e < 0) {
                e = allocate(p.src, p.dst, key, now);
            }
            if (e >= 0 && eState[e] != REFUSED) {
                // nothing held is parsed again on the way to being dropped
                refuse(e, reason, MemorySegment.NULL);
            }
        }
        w.drop(b, i, reason);
    }

    /** Notes a fragment's range; returns a drop reason that refuses the datagram, or -1. */
    private int record(int e, int off, int len, boolean more) {
        int n = eCount[e];
        if (n >= perDatagram) {
            return Drops.FRAGMENT_TOO_MANY;
        }
        int end = off + len;
        int base = e * perDatagram;
        int known = eEnd[e];
        for (int k = 0; k < n; k++) {
            int r = ranges[base + k];
            int s = r >>> 16;
            int t = r & 0xffff;
            if (off < t && s < end || off == s) {
                // overlapping, or a duplicate: either could change bytes the first copy let through
                return Drops.FRAGMENT_INVALID;
            }
            if (!more && t > end) {
                return Drops.FRAGMENT_INVALID;
            }
        }
        if (!more) {
            if (known >= 0) {
                return Drops.FRAGMENT_INVALID;
            }
            eEnd[e] = end;
        } else if (known >= 0 && end > known) {
            return Drops.FRAGMENT_INVALID;
        }
        ranges[base + n] = off << 16 | end;
        eCount[e] = n + 1;
        eBytes[e] += len;
        return -1;
    }

    /** Records what the translator did with a datagram's first fragment. */
    private void decide(int e, PacketBurst b, int i, Packet p) {
        byte v = b.verdict(i);
        eState[e] = DECIDED;
        eNewSrc[e] = p.src;
        eNewDst[e] = p.dst;
        if (w.outcome >= 0) {
            // dropped, or answered with an ICMP error in its place: the rest has nowhere to go
            eVerdict[e] = Verdict.DROP;
            eTarget[e] = w.outcome;
        } else if (v == Verdict.HANDOFF) {
            eVerdict[e] = Verdict.HANDOFF;
            eTarget[e] = b.handoffTarget(i);
        } else if (v == Verdict.TX_INSIDE || v == Verdict.TX_OUTSIDE || v == Verdict.PASS) {
            eVerdict[e] = v;
        } else {
            eVerdict[e] = Verdict.DROP;
            eTarget[e] = Drops.STAGE_ERROR;
        }
    }

    /** Gives a later fragment of a decided datagram the first fragment's addresses and verdict. */
    private void apply(int e, Packet p, MemorySegment m, PacketBurst b, int i) {
        byte v = eVerdict[e];
        switch (v) {
            case Verdict.TX_INSIDE, Verdict.TX_OUTSIDE -> {
                p.rewriteAddresses(m, eNewSrc[e], eNewDst[e]);
                b.setVerdict(i, v);
                c[b.inPort(i) == 0 ? CounterIndex.IN2OUT : CounterIndex.OUT2IN]++;
            }
            case Verdict.HANDOFF -> {
                p.rewriteAddresses(m, eNewSrc[e], eNewDst[e]);
                // the first fragment took this hop already, so it is no loop
                b.setHandoff(i, eTarget[e]);
                c[CounterIndex.HANDOFFS]++;
            }
            case Verdict.DROP -> w.drop(b, i, eTarget[e]);
            default -> {
                // left to the other stages, as the first fragment was
            }
        }
    }

    private void hold(int e, PacketBurst b, int i) {
        int h = freeHeld;
        freeHeld = hNext[h];
        hHandle[h] = b.handle(i);
        hOffset[h] = b.dataOffset(i);
        hLength[h] = b.length(i);
        hInPort[h] = b.inPort(i);
        hFrom[h] = b.handedOffFrom(i);
        hNext[h] = -1;
        if (eHeldTail[e] < 0) {
            eHeldHead[e] = h;
        } else {
            hNext[eHeldTail[e]] = h;
        }
        eHeldTail[e] = h;
        heldCount++;
        b.setVerdict(i, Verdict.STOLEN);
    }

    /** Moves a decided or refused datagram's held fragments to the ready list, translated or to be dropped. */
    private void release(int e, MemorySegment m) {
        int h = eHeldHead[e];
        while (h >= 0) {
            int next = hNext[h];
            byte v = eState[e] == DECIDED ? eVerdict[e] : Verdict.DROP;
            if (v != Verdict.DROP && v != Verdict.PASS
                    && heldPkt.parse(m, hOffset[h], hLength[h]) != Packet.OK) {
                v = Verdict.DROP;
                c[CounterIndex.DROPS + Drops.STAGE_ERROR]++;
            } else if (v == Verdict.DROP) {
                c[CounterIndex.DROPS + eTarget[e]]++;
            }
            if (v == Verdict.TX_INSIDE || v == Verdict.TX_OUTSIDE || v == Verdict.HANDOFF) {
                heldPkt.rewriteAddresses(m, eNewSrc[e], eNewDst[e]);
                if (v == Verdict.HANDOFF) {
                    c[CounterIndex.HANDOFFS]++;
                } else {
                    c[hInPort[h] == 0 ? CounterIndex.IN2OUT : CounterIndex.OUT2IN]++;
                }
            }
            hVerdict[h] = v;
            hTarget[h] = eTarget[e];
            ready(h);
            h = next;
        }
        eHeldHead[e] = -1;
        eHeldTail[e] = -1;
    }

    private void ready(int h) {
        hNext[h] = -1;
        if (readyTail < 0) {
            readyHead = h;
        } else {
            hNext[readyTail] = h;
        }
        readyTail = h;
    }

    /** Refuses a datagram: its held fragments are dropped now and its later ones when they come. */
    private void refuse(int e, int reason, MemorySegment m) {
        eState[e] = REFUSED;
        eTarget[e] = reason;
        release(e, m);
    }

    /**
     * Appends released fragments to a burst of this worker, as far as it has room; the dataplane sends or frees them
     * by their verdicts like any other slot. What does not fit waits for the next burst.
     *
     * @param b the burst the worker is processing
     */
    void flush(PacketBurst b) {
        while (readyHead >= 0 && b.size() < b.capacity()) {
            int h = readyHead;
            int idx = b.add(hHandle[h], hOffset[h], hLength[h], hInPort[h], hFrom[h]);
            if (hVerdict[h] == Verdict.HANDOFF) {
                b.setHandoff(idx, hTarget[h]);
            } else {
                b.setVerdict(idx, hVerdict[h]);
            }
            readyHead = hNext[h];
            if (readyHead < 0) {
                readyTail = -1;
            }
            hNext[h] = freeHeld;
            freeHeld = h;
            heldCount--;
        }
    }

    /**
     * Drops the state of datagrams older than the timeout, oldest first; their held fragments go to the ready list
     * to be dropped, counted as {@link Drops#FRAGMENT_TIMEOUT}.
     *
     * @param now the worker's time
     * @param timeoutNanos the state's life
     * @param m the memory the held fragments lie in (not read for dropped ones)
     */
    void expire(long now, long timeoutNanos, MemorySegment m) {
        for (int k = 0; k < states && oldest >= 0 && now - eBorn[oldest] >= timeoutNanos; k++) {
            int e = oldest;
            if (eHeldHead[e] >= 0) {
                eState[e] = REFUSED;
                eTarget[e] = Drops.FRAGMENT_TIMEOUT;
                release(e, m);
            }
            free(e);
        }
    }

    /** {@return whether released fragments wait for room in a burst} */
    boolean pending() {
        return readyHead >= 0;
    }

    private int bucket(int src, int dst, int key) {
        int h = (src ^ seed) * 0x9E3779B1 + dst * 0x85EBCA77 + (key ^ seed >>> 7) * 0xC2B2AE3D;
        h ^= h >>> 15;
        h *= 0x2C1B3C6D;
        h ^= h >>> 12;
        return h & mask;
    }

    private int find(int src, int dst, int key) {
        for (int e = heads[bucket(src, dst, key)]; e >= 0; e = eNext[e]) {
            if (eSrc[e] == src && eDst[e] == dst && eKey[e] == key) {
                return e;
            }
        }
        return -1;
    }

    private int allocate(int src, int dst, int key, long now) {
        int e = freeEntry;
        if (e < 0) {
            return -1;
        }
        freeEntry = eNext[e];
        int bk = bucket(src, dst, key);
        eNext[e] = heads[bk];
        heads[bk] = e;
        eSrc[e] = src;
        eDst[e] = dst;
        eKey[e] = key;
        eState[e] = WAITING;
        eVerdict[e] = Verdict.PASS;
        eTarget[e] = 0;
        eCount[e] = 0;
        eBytes[e] = 0;
        eEnd[e] = -1;
        eHeldHead[e] = -1;
        eHeldTail[e] = -1;
        eBorn[e] = now;
        eOlder[e] = newest;
        eNewer[e] = -1;
        if (newest >= 0) {
            eNewer[newest] = e;
        } else {
            oldest = e;
        }
        newest = e;
        live++;
        return e;
    }

    private void free(int e) {
        int bk = bucket(eSrc[e], eDst[e], eKey[e]);
        if (heads[bk] == e) {
            heads[bk] = eNext[e];
        } else {
            int prev = heads[bk];
            while (eNext[prev] != e) {
                prev = eNext[prev];
            }
            eNext[prev] = eNext[e];
        }
        int older = eOlder[e];
        int newer = eNewer[e];
        if (older >= 0) {
            eNewer[older] = newer;
        } else {
            oldest = newer;
        }
        if (newer >= 0) {
            eOlder[newer] = older;
        } else {
            newest = older;
        }
        eState[e] = FREE;
        eNext[e] = freeEntry;
        freeEntry = e;
        live--;
    }
}
