package dev.natgw.nat.fastpath;

import static dev.natgw.nat.handover.AllocatorLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.natgw.nat.handover.AllocatorLayout;
import dev.natgw.nat.handover.HandOverFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The outside ports one worker hands out from one pool: for each pool address and each protocol
 * (TCP, UDP, ICMP identifiers: three separate spaces) the ports this worker owns by
 * {@link PortOwnership#owner(int)}, kept in one free stack per Toeplitz bucket.
 *
 * <p>
 * <b>Used by one worker thread only; allocation-free and lock-free</b> in {@link #allocate},
 * {@link #allocateShared}, {@link #share}, {@link #release} and {@link #tick}. The counters
 * ({@link #inUse()}, {@link #held()}, ...) are written by the worker with release semantics and may
 * be read from any thread. {@link #reserve} and {@link #unreserve} are control-rate (O(bucket size))
 * but must also run on the worker, e.g. from its request ring.
 *
 * <p>
 * RSS affinity: for a flow from {@code remote:remotePort}, let
 * {@code C = hash(remote, outAddr, remotePort, 0)}. By the linearity of Toeplitz, a port in bucket
 * {@code b} makes the return flow hit RETA entry {@code (C ^ b) & (retaSize - 1)}, so the buckets
 * whose ports bring the return traffic to this worker are {@code (C & mask) ^ r} for the RETA
 * entries {@code r} of this worker's queues. A bitmap of non-empty buckets, permuted by the XOR with
 * {@code C}, finds such a bucket in O(retaSize / 64) word operations; if none has a free port, any
 * non-empty bucket serves (an affinity miss, counted) and the return traffic is handed off.
 *
 * <p>
 * Life of an address-port pair: free (on its bucket's stack) -> in use (refcount 1..65535, by
 * {@link #allocate} and {@link #share}) -> held (refcount 0, in the hold-down FIFO for
 * {@code holdDownNanos}, so a late packet of the old flow does not reach a new one) -> free again
 * by {@link #tick}. A reserved pair (a static mapping) is never on a free stack. Invariant:
 * {@code free() + inUse() + held() + idle reserved pairs == total()}, and a port is never handed out
 * by {@link #allocate} while it is in use or held.
 *
 * <p>
 * Memory: per address-port pair, per protocol, 2 bytes of free stack and 2 bytes of refcount and 2
 * bits of flags (held, reserved), about 4.25 bytes; plus 12 bytes per hold-down FIFO entry and
 * 4 bytes per bucket per address and protocol for the stack heights. {@link #bytes()} gives the
 * total.
 *
 * <p>
 * All mutable state is in one off-heap segment ({@link #memory()}), laid out as {@link AllocatorLayout} describes,
 * so another revision of the bundle can adopt it; it lives as long as the arena the constructor is given (the
 * worker's, which the session table uses too). Only what the port ownership derives again (the owned ports, bucket
 * bounds, RETA entries) and the {@link #allocateShared} cursor and scan rotor (hints, reset by any caller) stay on
 * the heap.
 */
public final class PortAllocator {
    /** IP protocol numbers of the three port spaces. */
    public static final int TCP = 6;
    /** UDP. */
    public static final int UDP = 17;
    /** ICMP: echo identifiers. */
    public static final int ICMP = 1;
    /** Most hold-down entries {@link #tick} returns to the free stacks per call. */
    public static final int TICK_LIMIT = 4096;
    /** Most slots one {@link #allocateShared} call inspects. */
    public static final int SHARED_PROBE_LIMIT = 1024;
    /** The highest refcount: a port shared this often takes no more sharers. */
    public static final int MAX_REFCOUNT = 0xffff;
    /** Upper bound of the hold-down FIFO's default capacity. */
    public static final int DEFAULT_HOLD_CAPACITY_MAX = 1 << 18;

    private static final int ICMP_INDEX = 2;

    // counters: written by the worker with release, read anywhere with acquire
    private static final VarHandle LV = JAVA_LONG.varHandle();
    private static final VarHandle IV = JAVA_INT.varHandle();

    private final PortOwnership own;
    private final Toeplitz t;
    private final int workerId;
    private final int[] addresses;
    private final long holdDownNanos;
    private final int holdCapacity;

    /** Owned ports of this worker: m of them, local indexes 0..m-1. */
    private final int m;
    private final int retaSize;
    private final int mask;
    /** Bitmap words per (protocol, address): ceil(retaSize / 64), a power of two. */
    private final int words;
    private final char[] localPort;
    private final int[] bucketStart;
    /** Bit r set iff RETA entry r's queue is polled by this worker. */
    private final long[] ownerMask;
    /** This worker's RETA entries, ascending. */
    private final int[] retaEntries;

    /** The whole state, header first; see the class comment. */
    private final MemorySegment mem;
    private final long pairs;
    private final int groups;
    // byte offsets of the arrays in mem
    private final long stackAt;
    private final long refcountAt;
    private final long heldBitsAt;
    private final long reservedBitsAt;
    private final long freeCountAt;
    private final long freeByAt;
    private final long heldByAt;
    private final long nonEmptyAt;
    private final long holdIdxAt;
    private final long holdDueAt;
    private static final int HELD_BITS = 0;
    private static final int RESERVED_BITS = 1;

    /** Rotates the starting point of the bucket scans so consecutive allocations spread. */
    private int rotor;

    // allocateShared's cursor, so attempt k + 1 continues where attempt k stopped
    private int sharedGroup = -1;
    private int sharedC;
    private int sharedNext;
    private int sharedJ;
    private int sharedLocal;

    /**
     * Builds the allocator with a hold-down FIFO as large as the owned pairs, at most
     * {@value #DEFAULT_HOLD_CAPACITY_MAX} entries.
     *
     * @param own the port ownership of the pool
     * @param t the Toeplitz hash with the NIC's key
     * @param workerId this worker
     * @param addresses the pool's outside addresses, network order, at least one
     * @param holdDownNanos how long a released port stays out of service, 0 for not at all
     */
    public PortAllocator(PortOwnership own, Toeplitz t, int workerId, int[] addresses, long holdDownNanos) {
        this(own, t, workerId, addresses, holdDownNanos, defaultHoldCapacity(own, workerId, addresses));
    }

    private static int defaultHoldCapacity(PortOwnership own, int workerId, int[] addresses) {
        if (workerId < 0 || workerId >= own.workers()) {
            return 1; // the main constructor rejects the worker
        }
        return (int) Math.min(DEFAULT_HOLD_CAPACITY_MAX, Math.max(1, 3L * addresses.length * own.ownedCount(workerId)));
    }

    /**
     * Builds the allocator with every owned pair free.
     *
     * @param own the port ownership of the pool
     * @param t the Toeplitz hash with the NIC's key
     * @param workerId this worker, 0..own.workers()-1
     * @param addresses the pool's outside addresses, network order, at least one (copied)
     * @param holdDownNanos how long a released port stays out of service, 0 for not at all
     * @param holdCapacity the most pairs in hold-down at once, at least 1; when it is full the oldest
     *     is freed early and counted in {@link #holdCutShort()}
     * @throws IllegalArgumentException if an argument is out of range or the pairs exceed an array
     */
    public PortAllocator(PortOwnership own, Toeplitz t, int workerId, int[] addresses, long holdDownNanos,
            int holdCapacity) {
        this(own, t, workerId, addresses, holdDownNanos, holdCapacity, Arena.ofAuto(), null);
    }

    /**
     * Builds the allocator with every owned pair free in memory of an arena, or on memory another revision of the
     * bundle made ({@link #memory()}), which it only reads here: the previous user may go on using it until the
     * dataplane swaps the stages.
     *
     * @param own the port ownership of the pool
     * @param t the Toeplitz hash with the NIC's key
     * @param workerId this worker, 0..own.workers()-1
     * @param addresses the pool's outside addresses, network order, at least one (copied)
     * @param holdDownNanos how long a released port stays out of service, 0 for not at all
     * @param holdCapacity the most pairs in hold-down at once, at least 1
     * @param arena where new memory comes from, kept alive by the caller as long as the allocator is used
     * @param adopt memory to take over, or null for new memory
     * @throws IllegalArgumentException if an argument is out of range, or the adopted memory was made for another
     *     worker, range, pool size, RSS table or hold capacity (naming which)
     */
    public PortAllocator(PortOwnership own, Toeplitz t, int workerId, int[] addresses, long holdDownNanos,
            int holdCapacity, Arena arena, MemorySegment adopt) {
        this.own = Objects.requireNonNull(own, "own");
        this.t = Objects.requireNonNull(t, "t");
        if (workerId < 0 || workerId >= own.workers()) {
            throw new IllegalArgumentException("workerId must be 0.." + (own.workers() - 1) + ", was " + workerId);
        }
        if (addresses.length == 0) {
            throw new IllegalArgumentException("addresses must not be empty");
        }
        if (holdDownNanos < 0 || holdCapacity < 1) {
            throw new IllegalArgumentException(
                    "holdDownNanos must be >= 0 and holdCapacity >= 1, were " + holdDownNanos + ", " + holdCapacity);
        }
        this.workerId = workerId;
        this.addresses = addresses.clone();
        this.holdDownNanos = holdDownNanos;
        this.holdCapacity = holdCapacity;
        this.m = own.ownedCount(workerId);
        this.retaSize = own.retaSize();
        this.mask = retaSize - 1;
        this.words = (retaSize + 63) >>> 6;
        this.groups = 3 * addresses.length;
        this.pairs = (long) groups * m;
        if (pairs > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("too many address-port pairs for one allocator: " + pairs);
        }
        localPort = new char[m];
        for (int i = 0; i < m; i++) {
            localPort[i] = (char) own.portAt(workerId, i);
        }
        bucketStart = new int[retaSize + 1];
        for (int b = 0; b <= retaSize; b++) {
            bucketStart[b] = own.bucketStart(workerId, b);
        }
        retaEntries = own.retaEntries(workerId);
        ownerMask = new long[words];
        for (int r : retaEntries) {
            ownerMask[r >>> 6] |= 1L << r;
        }
        long[] at = AllocatorLayout.arrays(addresses.length, m, retaSize, holdCapacity);
        stackAt = at[AT_STACK];
        refcountAt = at[AT_REFCOUNT];
        heldBitsAt = at[AT_HELD_BITS];
        reservedBitsAt = at[AT_RESERVED_BITS];
        freeCountAt = at[AT_FREE_COUNT];
        freeByAt = at[AT_FREE_BY_GROUP];
        heldByAt = at[AT_HELD_BY_ADDRESS];
        nonEmptyAt = at[AT_NON_EMPTY];
        holdIdxAt = at[AT_HOLD_INDEX];
        holdDueAt = at[AT_HOLD_DUE];
        long bytes = at[AT_BYTES];
        if (adopt != null) {
            mem = adopt;
            String why = adopt.byteSize() < A_HEADER
                    ? "memory is " + adopt.byteSize() + " bytes"
                    : adopt.get(JAVA_INT, A_LAYOUT) != HandOverFormat.LAYOUT_VERSION
                            ? "layout " + adopt.get(JAVA_INT, A_LAYOUT) + " != " + HandOverFormat.LAYOUT_VERSION
                            : adopt.get(JAVA_INT, A_WORKER) != workerId
                                    ? "worker " + adopt.get(JAVA_INT, A_WORKER) + " != " + workerId
                                    : adopt.get(JAVA_INT, A_OWNED) != m
                                            ? "owned ports " + adopt.get(JAVA_INT, A_OWNED) + " != " + m
                                            : adopt.get(JAVA_INT, A_GROUPS) != groups
                                                    ? "address groups " + adopt.get(JAVA_INT, A_GROUPS) + " != "
                                                            + groups
                                                    : adopt.get(JAVA_INT, A_RETA) != retaSize
                                                            ? "RETA " + adopt.get(JAVA_INT, A_RETA) + " != " + retaSize
                                                            : adopt.get(JAVA_INT, A_HOLD_CAPACITY) != holdCapacity
                                                                    ? "hold capacity "
                                                                            + adopt.get(JAVA_INT, A_HOLD_CAPACITY)
                                                                            + " != " + holdCapacity
                                                                    : adopt.byteSize() < bytes
                                                                            ? "memory is " + adopt.byteSize()
                                                                                    + " bytes, not " + bytes
                                                                            : null;
            if (why != null) {
                throw new IllegalArgumentException("port allocator of worker " + workerId + ": " + why);
            }
            return;
        }
        mem = OffHeap.allocate(arena, bytes);
        mem.set(JAVA_INT, A_LAYOUT, HandOverFormat.LAYOUT_VERSION);
        mem.set(JAVA_INT, A_WORKER, workerId);
        mem.set(JAVA_INT, A_OWNED, m);
        mem.set(JAVA_INT, A_GROUPS, groups);
        mem.set(JAVA_INT, A_RETA, retaSize);
        mem.set(JAVA_INT, A_HOLD_CAPACITY, holdCapacity);
        for (int g = 0; g < groups; g++) {
            mem.set(JAVA_INT, freeByAt(g), m);
            MemorySegment.copy(localPort, 0, mem, JAVA_CHAR, stackAt + 2L * g * m, m);
            for (int b = 0; b < retaSize; b++) {
                int size = bucketStart[b + 1] - bucketStart[b];
                fc(g * retaSize + b, size);
                if (size > 0) {
                    ne(g * words + (b >>> 6), ne(g * words + (b >>> 6)) | 1L << b);
                }
            }
        }
        mem.set(JAVA_LONG, A_FREE, pairs);
    }

    // ---------------------------------------------------------------- memory access

    private int stk(int i) {
        return mem.get(JAVA_CHAR, stackAt + 2L * i);
    }

    private void stk(int i, int v) {
        mem.set(JAVA_CHAR, stackAt + 2L * i, (char) v);
    }

    private int rc(int i) {
        return mem.get(JAVA_CHAR, refcountAt + 2L * i);
    }

    private void rc(int i, int v) {
        mem.set(JAVA_CHAR, refcountAt + 2L * i, (char) v);
    }

    private int fc(int i) {
        return mem.get(JAVA_INT, freeCountAt + 4L * i);
    }

    private void fc(int i, int v) {
        mem.set(JAVA_INT, freeCountAt + 4L * i, v);
    }

    private long ne(int i) {
        return mem.get(JAVA_LONG, nonEmptyAt + 8L * i);
    }

    private void ne(int i, long v) {
        mem.set(JAVA_LONG, nonEmptyAt + 8L * i, v);
    }

    private int holdIdx(int i) {
        return mem.get(JAVA_INT, holdIdxAt + 4L * i);
    }

    private void holdIdx(int i, int v) {
        mem.set(JAVA_INT, holdIdxAt + 4L * i, v);
    }

    private long holdDue(int i) {
        return mem.get(JAVA_LONG, holdDueAt + 8L * i);
    }

    private void holdDue(int i, long v) {
        mem.set(JAVA_LONG, holdDueAt + 8L * i, v);
    }

    private long freeByAt(int g) {
        return freeByAt + 4L * g;
    }

    /** Counts a pair's hold-down start (+1) or end (-1) for its address; read by {@link #held(int)}. */
    private void addHeldBy(int idx, int delta) {
        long at = heldByAt + 4L * (idx / m % addresses.length);
        IV.setRelease(mem, at, (int) IV.get(mem, at) + delta);
    }

    private int hd(long at) {
        return mem.get(JAVA_INT, at);
    }

    private void hd(long at, int v) {
        mem.set(JAVA_INT, at, v);
    }

    /** Adds to a header counter with release, so other threads read a recent value with acquire. */
    private void add(long at, long delta) {
        LV.setRelease(mem, at, mem.get(JAVA_LONG, at) + delta);
    }

    /** {@return the allocator's memory, header first, for a hand-over} */
    public MemorySegment memory() {
        return mem;
    }

    /**
     * Returns the index of the address an inside host uses (paired pooling: always the same one). A
     * mixed hash of the address, independent of {@link Ownership#home}, so the hosts of one worker
     * still spread over all addresses; the same on every worker.
     *
     * @param inAddr the inside address
     * @return the index into the addresses, 0..addresses-1
     */
    public int addressFor(int inAddr) {
        long z = (inAddr & 0xffffffffL) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        // the high 32 bits scaled to the count: a modulo without a division
        return (int) (((z >>> 32) * addresses.length) >>> 32);
    }

    /**
     * Takes a free port: one whose reverse tuple lands on this worker (an affinity hit), else any free
     * owned port (an affinity miss), else -1. For ICMP any free owned identifier. The port's refcount
     * becomes 1. Allocation-free.
     *
     * @param proto 6, 17 or 1
     * @param addrIndex the address, 0..addresses-1
     * @param remoteAddr the remote address
     * @param remotePort the remote port (ignored for ICMP)
     * @return the port, or -1 if none is free (or proto or addrIndex is invalid)
     */
    public int allocate(int proto, int addrIndex, int remoteAddr, int remotePort) {
        int pi = protoIndex(proto);
        if (pi < 0 || addrIndex < 0 || addrIndex >= addresses.length) {
            return -1;
        }
        int g = pi * addresses.length + addrIndex;
        int rot = rotor++;
        if (pi != ICMP_INDEX) {
            int c = t.hash(remoteAddr, addresses[addrIndex], remotePort, 0) & mask;
            int b = findAffine(g, c, rot);
            if (b >= 0) {
                add(A_HITS, 1);
                return pop(pi, g, b);
            }
            b = findAny(g, rot);
            if (b >= 0) {
                add(A_MISSES, 1);
                return pop(pi, g, b);
            }
            return -1;
        }
        int b = findAny(g, rot);
        return b >= 0 ? pop(pi, g, b) : -1;
    }

    /** A non-empty bucket among (c ^ r) for this worker's RETA entries r, or -1. */
    private int findAffine(int g, int c, int rot) {
        int chi = c >>> 6;
        int clo = c & 63;
        int base = g * words;
        int start = (rot >>> 6) & (words - 1);
        for (int k = 0; k < words; k++) {
            int wi = (start + k) & (words - 1);
            // word wi holds buckets b = 64 wi + j; b ^ c is RETA entry 64 (wi ^ chi) + (j ^ clo)
            long acceptable = xorPermute(ownerMask[wi ^ chi], clo) & ne(base + wi);
            if (acceptable != 0) {
                return wi << 6 | pickBit(acceptable, rot);
            }
        }
        return -1;
    }

    /** Any non-empty bucket, or -1. */
    private int findAny(int g, int rot) {
        int base = g * words;
        int start = (rot >>> 6) & (words - 1);
        for (int k = 0; k < words; k++) {
            int wi = (start + k) & (words - 1);
            long bits = ne(base + wi);
            if (bits != 0) {
                return wi << 6 | pickBit(bits, rot);
            }
        }
        return -1;
    }

    /** A set bit of a non-zero word, the first at or after a rotating offset. */
    private static int pickBit(long bits, int rot) {
        int off = rot & 63;
        return (Long.numberOfTrailingZeros(Long.rotateRight(bits, off)) + off) & 63;
    }

    /** Returns y with bit j of y = bit (j ^ s) of x, s in 0..63: one swap stage per bit of s. */
    static long xorPermute(long x, int s) {
        if ((s & 1) != 0) {
            x = (x & 0x5555555555555555L) << 1 | (x >>> 1 & 0x5555555555555555L);
        }
        if ((s & 2) != 0) {
            x = (x & 0x3333333333333333L) << 2 | (x >>> 2 & 0x3333333333333333L);
        }
        if ((s & 4) != 0) {
            x = (x & 0x0F0F0F0F0F0F0F0FL) << 4 | (x >>> 4 & 0x0F0F0F0F0F0F0F0FL);
        }
        if ((s & 8) != 0) {
            x = (x & 0x00FF00FF00FF00FFL) << 8 | (x >>> 8 & 0x00FF00FF00FF00FFL);
        }
        if ((s & 16) != 0) {
            x = (x & 0x0000FFFF0000FFFFL) << 16 | (x >>> 16 & 0x0000FFFF0000FFFFL);
        }
        if ((s & 32) != 0) {
            x = x << 32 | x >>> 32;
        }
        return x;
    }

    private int pop(int pi, int g, int b) {
        int fi = g * retaSize + b;
        int count = fc(fi) - 1;
        fc(fi, count);
        int port = stk(g * m + bucketStart[b] + count);
        if (count == 0) {
            ne(g * words + (b >>> 6), ne(g * words + (b >>> 6)) & ~(1L << b));
        }
        rc(g * m + own.localIndex(port), 1);
        add(A_FREE, -1);
        IV.setRelease(mem, freeByAt(g), (int) IV.get(mem, freeByAt(g)) - 1);
        add(A_IN_USE + 8L * pi, 1);
        return port;
    }

    private void push(int g, int port) {
        int b = own.bucket(port);
        int fi = g * retaSize + b;
        int count = fc(fi);
        stk(g * m + bucketStart[b] + count, port);
        fc(fi, count + 1);
        if (count == 0) {
            ne(g * words + (b >>> 6), ne(g * words + (b >>> 6)) | 1L << b);
        }
        add(A_FREE, 1);
        IV.setRelease(mem, freeByAt(g), (int) IV.get(mem, freeByAt(g)) + 1);
    }

    /**
     * Returns a candidate for port reuse under address-and-port-dependent mapping: the
     * {@code attempt}-th port (from 0) that is in use (refcount 1..65534, not reserved) on this address
     * and protocol, owned, and whose reverse tuple for this remote lands on this worker (any in-use
     * identifier for ICMP). The caller checks the 5-tuple against its sessions and, if it is free,
     * calls {@link #share}. Calls with attempt 0, 1, 2, ... for the same flow continue one scan; at
     * most {@value #SHARED_PROBE_LIMIT} slots are inspected per call, so -1 also means "gave up".
     * Allocation-free.
     *
     * @param proto 6, 17 or 1
     * @param addrIndex the address
     * @param remoteAddr the remote address
     * @param remotePort the remote port
     * @param attempt 0 for the first candidate, then 1, 2, ...
     * @return the port, or -1 when there are no more candidates
     */
    public int allocateShared(int proto, int addrIndex, int remoteAddr, int remotePort, int attempt) {
        int pi = protoIndex(proto);
        if (pi < 0 || addrIndex < 0 || addrIndex >= addresses.length || attempt < 0) {
            return -1;
        }
        int g = pi * addresses.length + addrIndex;
        int c = pi == ICMP_INDEX ? 0 : t.hash(remoteAddr, addresses[addrIndex], remotePort, 0) & mask;
        int skip = 0;
        if (attempt == 0 || attempt != sharedNext || g != sharedGroup || c != sharedC) {
            // a new scan; a caller that jumps ahead skips candidates within the same probe budget
            sharedGroup = g;
            sharedC = c;
            sharedJ = 0;
            sharedLocal = -1;
            skip = attempt;
        }
        sharedNext = -1;
        int buckets = pi == ICMP_INDEX ? retaSize : retaEntries.length;
        int probes = 0;
        while (sharedJ < buckets) {
            int b = pi == ICMP_INDEX ? sharedJ : (c ^ retaEntries[sharedJ]) & mask;
            int to = bucketStart[b + 1];
            if (sharedLocal < 0) {
                int from = bucketStart[b];
                if (fc(g * retaSize + b) == to - from) {
                    // every port of the bucket is free: nothing to share
                    sharedJ++;
                    if (++probes > SHARED_PROBE_LIMIT) {
                        return -1;
                    }
                    continue;
                }
                sharedLocal = from;
            }
            while (sharedLocal < to) {
                if (++probes > SHARED_PROBE_LIMIT) {
                    return -1;
                }
                int idx = g * m + sharedLocal++;
                int rc = rc(idx);
                if (rc != 0 && rc != MAX_REFCOUNT && !bit(RESERVED_BITS, idx)) {
                    if (skip == 0) {
                        sharedNext = attempt + 1;
                        return localPort[sharedLocal - 1];
                    }
                    skip--;
                }
            }
            sharedJ++;
            sharedLocal = -1;
        }
        return -1;
    }

    /**
     * Adds a user to a port in use (port reuse across destinations). Allocation-free.
     *
     * @param proto 6, 17 or 1
     * @param addrIndex the address
     * @param port the port, in use on this worker
     * @return false, changing nothing, if the port is not owned, not in use, reserved or at
     *     {@value #MAX_REFCOUNT} users
     */
    public boolean share(int proto, int addrIndex, int port) {
        int idx = pairIndex(proto, addrIndex, port);
        if (idx < 0) {
            return false;
        }
        int rc = rc(idx);
        if (rc == 0 || rc == MAX_REFCOUNT || bit(RESERVED_BITS, idx)) {
            return false;
        }
        rc(idx, (rc + 1));
        return true;
    }

    /**
     * Drops a user of a port; the last one puts the port into hold-down (or straight back on its free
     * stack if holdDownNanos is 0). A port that is not in use, not owned or invalid is counted in
     * {@link #releaseErrors()} and otherwise ignored. Allocation-free.
     *
     * @param proto 6, 17 or 1
     * @param addrIndex the address
     * @param port the port
     * @param now the time, {@link System#nanoTime()}
     */
    public void release(int proto, int addrIndex, int port, long now) {
        int idx = pairIndex(proto, addrIndex, port);
        int rc = idx < 0 ? 0 : rc(idx);
        if (rc == 0) {
            add(A_ERRORS, 1);
            return;
        }
        rc(idx, (rc - 1));
        if (rc > 1) {
            return;
        }
        int pi = protoIndex(proto);
        add(A_IN_USE + 8L * pi, -1);
        if (holdDownNanos == 0) {
            makeFree(idx);
            return;
        }
        if (hd(A_HOLD_SIZE) == holdCapacity) {
            // full: the oldest entry leaves early rather than losing the newest
            int oldest = holdIdx(hd(A_HOLD_HEAD));
            hd(A_HOLD_HEAD, hd(A_HOLD_HEAD) + 1 == holdCapacity ? 0 : hd(A_HOLD_HEAD) + 1);
            hd(A_HOLD_SIZE, hd(A_HOLD_SIZE) - 1);
            endHold(oldest);
            add(A_CUT, 1);
        }
        int tail = hd(A_HOLD_HEAD) + hd(A_HOLD_SIZE);
        if (tail >= holdCapacity) {
            tail -= holdCapacity;
        }
        holdIdx(tail, idx);
        holdDue(tail, now + holdDownNanos);
        hd(A_HOLD_SIZE, hd(A_HOLD_SIZE) + 1);
        setBit(HELD_BITS, idx);
        addHeldBy(idx, 1);
        add(A_HELD, 1);
    }

    /**
     * Returns to their free stacks the held ports whose hold-down has ended, at most
     * {@value #TICK_LIMIT} per call. Allocation-free.
     *
     * @param now the time, {@link System#nanoTime()}
     */
    public void tick(long now) {
        for (int n = 0; n < TICK_LIMIT && hd(A_HOLD_SIZE) > 0 && holdDue(hd(A_HOLD_HEAD)) - now <= 0; n++) {
            int idx = holdIdx(hd(A_HOLD_HEAD));
            hd(A_HOLD_HEAD, hd(A_HOLD_HEAD) + 1 == holdCapacity ? 0 : hd(A_HOLD_HEAD) + 1);
            hd(A_HOLD_SIZE, hd(A_HOLD_SIZE) - 1);
            endHold(idx);
        }
    }

    private void endHold(int idx) {
        clearBit(HELD_BITS, idx);
        addHeldBy(idx, -1);
        add(A_HELD, -1);
        makeFree(idx);
    }

    /** A pair whose last user left and whose hold-down (if any) ended: back on its stack. */
    private void makeFree(int idx) {
        if (bit(RESERVED_BITS, idx)) {
            // a static mapping took it meanwhile; it stays out of service
            return;
        }
        int g = idx / m;
        push(g, localPort[idx - g * m]);
    }

    /**
     * Takes a port out of service for a static mapping: a free port leaves its free stack; a port in
     * use or held is marked and does not return to its stack when released. Idempotent. Control-rate
     * (searches the bucket's stack); run it on the worker.
     *
     * @param proto 6, 17 or 1
     * @param addrIndex the address
     * @param port the port
     * @return false if the port is outside the range or not owned by this worker (or proto or
     *     addrIndex is invalid)
     */
    public boolean reserve(int proto, int addrIndex, int port) {
        int idx = pairIndex(proto, addrIndex, port);
        if (idx < 0) {
            return false;
        }
        if (bit(RESERVED_BITS, idx)) {
            return true;
        }
        setBit(RESERVED_BITS, idx);
        add(A_RESERVED, 1);
        if (rc(idx) == 0 && !bit(HELD_BITS, idx)) {
            removeFree(idx / m, port);
        }
        return true;
    }

    /**
     * Returns a reserved port to service: back on its free stack unless it is in use or held, in which
     * case release and hold-down return it as usual. Does nothing for a port not reserved.
     *
     * @param proto 6, 17 or 1
     * @param addrIndex the address
     * @param port the port
     */
    public void unreserve(int proto, int addrIndex, int port) {
        int idx = pairIndex(proto, addrIndex, port);
        if (idx < 0 || !bit(RESERVED_BITS, idx)) {
            return;
        }
        clearBit(RESERVED_BITS, idx);
        add(A_RESERVED, -1);
        if (rc(idx) == 0 && !bit(HELD_BITS, idx)) {
            push(idx / m, port);
        }
    }

    private void removeFree(int g, int port) {
        int b = own.bucket(port);
        int fi = g * retaSize + b;
        int count = fc(fi);
        int base = g * m + bucketStart[b];
        for (int k = 0; k < count; k++) {
            if (stk(base + k) == port) {
                stk(base + k, stk(base + count - 1));
                fc(fi, count - 1);
                if (count == 1) {
                    ne(g * words + (b >>> 6), ne(g * words + (b >>> 6)) & ~(1L << b));
                }
                add(A_FREE, -1);
                IV.setRelease(mem, freeByAt(g), (int) IV.get(mem, freeByAt(g)) - 1);
                return;
            }
        }
        throw new IllegalStateException("free port " + port + " is missing from its stack");
    }

    /** The pair index of an owned port, or -1 if proto, address or port is not this allocator's. */
    private int pairIndex(int proto, int addrIndex, int port) {
        int pi = protoIndex(proto);
        if (pi < 0 || addrIndex < 0 || addrIndex >= addresses.length || own.owner(port) != workerId) {
            return -1;
        }
        return (pi * addresses.length + addrIndex) * m + own.localIndex(port);
    }

    private static int protoIndex(int proto) {
        return switch (proto) {
            case TCP -> 0;
            case UDP -> 1;
            case ICMP -> ICMP_INDEX;
            default -> -1;
        };
    }

    private long bitWord(int which, int i) {
        return (which == HELD_BITS ? heldBitsAt : reservedBitsAt) + 8L * (i >>> 6);
    }

    private boolean bit(int which, int i) {
        return (mem.get(JAVA_LONG, bitWord(which, i)) & 1L << i) != 0;
    }

    private void setBit(int which, int i) {
        long at = bitWord(which, i);
        mem.set(JAVA_LONG, at, mem.get(JAVA_LONG, at) | 1L << i);
    }

    private void clearBit(int which, int i) {
        long at = bitWord(which, i);
        mem.set(JAVA_LONG, at, mem.get(JAVA_LONG, at) & ~(1L << i));
    }

    /** {@return the worker this allocator belongs to} */
    public int workerId() {
        return workerId;
    }

    /** {@return the number of pool addresses} */
    public int addressCount() {
        return addresses.length;
    }

    /**
     * Returns a pool address.
     *
     * @param addrIndex the index, 0..addressCount()-1
     * @return the address, network order
     */
    public int address(int addrIndex) {
        return addresses[addrIndex];
    }

    /** {@return the bytes of the arrays this allocator holds (not counting the shared ownership)} */
    public long bytes() {
        return mem.byteSize() + 2L * localPort.length + 4L * bucketStart.length + 8L * ownerMask.length
                + 4L * retaEntries.length;
    }

    /** {@return address-port pairs in use (refcount > 0), over the three protocols; any thread} */
    public long inUse() {
        return inUse(TCP) + inUse(UDP) + inUse(ICMP);
    }

    /**
     * Returns the address-port pairs of one protocol in use; any thread.
     *
     * @param proto 6, 17 or 1
     * @return the count, 0 for another protocol
     */
    public long inUse(int proto) {
        int pi = protoIndex(proto);
        return pi < 0 ? 0 : (long) LV.getAcquire(mem, A_IN_USE + 8L * pi);
    }

    /**
     * Returns the pairs of one address that this worker owns and that are not free: in use, held down, or
     * reserved for a static mapping; over the three protocols. Any thread.
     *
     * @param addrIndex the address
     * @return the busy pairs
     */
    public long busy(int addrIndex) {
        long n = 0;
        for (int pi = 0; pi < 3; pi++) {
            n += m - (int) IV.getAcquire(mem, freeByAt(pi * addresses.length + addrIndex));
        }
        return n;
    }

    /**
     * Returns the pairs of one address that this worker owns and that are in hold-down, over the three
     * protocols (a subset of {@link #busy}); any thread.
     *
     * @param addrIndex the address
     * @return the held pairs
     */
    public long held(int addrIndex) {
        return (int) IV.getAcquire(mem, heldByAt + 4L * addrIndex);
    }

    /**
     * Returns the pairs of one address that this worker owns, over the three protocols.
     *
     * @return the pairs
     */
    public long ownedPerAddress() {
        return 3L * m;
    }

    /** {@return pairs in hold-down; any thread} */
    public long held() {
        return (long) LV.getAcquire(mem, A_HELD);
    }

    /** {@return pairs on the free stacks; any thread} */
    public long free() {
        return (long) LV.getAcquire(mem, A_FREE);
    }

    /** {@return reserved pairs; any thread} */
    public long reserved() {
        return (long) LV.getAcquire(mem, A_RESERVED);
    }

    /** {@return the owned address-port pairs over the three protocols} */
    public long total() {
        return pairs;
    }

    /** {@return allocations whose port brings the return traffic to this worker; any thread} */
    public long affinityHits() {
        return (long) LV.getAcquire(mem, A_HITS);
    }

    /** {@return TCP/UDP allocations that found no RSS-affine port and took another; any thread} */
    public long affinityMisses() {
        return (long) LV.getAcquire(mem, A_MISSES);
    }

    /** {@return held pairs freed early because the hold-down FIFO was full; any thread} */
    public long holdCutShort() {
        return (long) LV.getAcquire(mem, A_CUT);
    }

    /** {@return releases of pairs not in use (or not this allocator's), ignored; any thread} */
    public long releaseErrors() {
        return (long) LV.getAcquire(mem, A_ERRORS);
    }
}
