package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.AllocatorMemory.*;
import static dev.natgw.nat.handover.AllocatorLayout.*;

import dev.natgw.nat.handover.AllocatorLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 *
 * <p>
 * The allocator keeps the life cycle of a pair (refcounts, reservations) and the scans for a shared port; the free
 * stacks and their bucket search are {@link FreeStacks}', the hold-down FIFO {@link HoldDown}'s, the search for a
 * port to share {@link SharedScan}'s, and the header and
 * field access {@link AllocatorMemory}'s (static, over the same segment).
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

    private final PortOwnership own;
    private final Toeplitz t;
    private final int workerId;
    private final int[] addresses;
    private final long holdDownNanos;

    /** Owned ports of this worker: m of them, local indexes 0..m-1. */
    private final int m;
    private final int retaSize;
    private final int mask;
    private final char[] localPort;
    private final int[] bucketStart;
    /** This worker's RETA entries, ascending. */
    private final int[] retaEntries;

    /** The whole state, header first; see the class comment. */
    private final MemorySegment mem;
    private final long pairs;
    private final long refcountAt;
    private final long reservedBitsAt;
    private final FreeStacks stacks;
    private final HoldDown holdDown;

    private final SharedScan shared;

    /** Rotates the starting point of the bucket scans so consecutive allocations spread. */
    private int rotor;

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
        this.m = own.ownedCount(workerId);
        this.retaSize = own.retaSize();
        this.mask = retaSize - 1;
        int groups = 3 * addresses.length;
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
        long[] at = AllocatorLayout.arrays(addresses.length, m, retaSize, holdCapacity);
        refcountAt = at[AT_REFCOUNT];
        reservedBitsAt = at[AT_RESERVED_BITS];
        long bytes = at[AT_BYTES];
        if (adopt != null) {
            String why = misfit(adopt, bytes, workerId, m, groups, retaSize, holdCapacity);
            if (why != null) {
                throw new IllegalArgumentException("port allocator of worker " + workerId + ": " + why);
            }
            mem = adopt;
        } else {
            mem = create(arena, bytes, workerId, m, groups, retaSize, holdCapacity);
        }
        stacks = new FreeStacks(mem, at, own, localPort, bucketStart, retaEntries);
        holdDown = new HoldDown(mem, at, holdCapacity, m, addresses.length);
        shared = new SharedScan(mem, at, stacks, localPort, bucketStart, retaEntries);
        if (adopt == null) {
            stacks.fill(groups);
        }
    }

    private int rc(int idx) {
        return u16(mem, refcountAt, idx);
    }

    private void rc(int idx, int v) {
        u16(mem, refcountAt, idx, v);
    }

    private boolean reserved(int idx) {
        return bit(mem, reservedBitsAt, idx);
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
        return addressIndex(inAddr, addresses.length);
    }

    /**
     * The address index {@link #addressFor} gives, for any number of addresses.
     *
     * @param inAddr the inside address
     * @param count the number of addresses, at least 1
     * @return the index, 0..count-1
     */
    public static int addressIndex(int inAddr, int count) {
        long z = (inAddr & 0xffffffffL) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        // the high 32 bits scaled to the count: a modulo without a division
        return (int) (((z >>> 32) * count) >>> 32);
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
        long ticket = takeAhead(proto, addrIndex, remoteAddr, remotePort);
        if (ticket < 0) {
            return -1;
        }
        int port = portAhead(ticket);
        useAhead(proto, addrIndex, ticket, port);
        return port;
    }

    /** A ticket's kinds of choice: an identifier (ICMP), an affinity hit, an affinity miss. */
    private static final long TICKET_ICMP = 0;
    private static final long TICKET_HIT = 1L << 32;
    private static final long TICKET_MISS = 2L << 32;

    /**
     * Takes the port {@link #allocate} would choose off its free stack without reading it or putting it in use,
     * so that a burst's lookup pass ({@link PortsAhead}) can take the ports of all its new flows first and bring in
     * what their mappings touch in loops that only load. The caller reads the port with {@link #portAhead} before
     * anything goes back on a free stack ({@link #release}, {@link #giveBack}, {@link #unreserve}, {@link #tick}),
     * then either puts it in use ({@link #useAhead}) or gives it back ({@link #giveBack}) within the burst: until
     * then the pair is neither free nor in use, and {@link #free()} counts it as taken. Allocation-free.
     *
     * @param proto 6, 17 or 1
     * @param addrIndex the address, 0..addresses-1
     * @param remoteAddr the remote address
     * @param remotePort the remote port (ignored for ICMP)
     * @return a ticket, or -1 if no port is free (or proto or addrIndex is invalid)
     */
    long takeAhead(int proto, int addrIndex, int remoteAddr, int remotePort) {
        int pi = protoIndex(proto);
        if (pi < 0 || addrIndex < 0 || addrIndex >= addresses.length) {
            return -1;
        }
        int g = pi * addresses.length + addrIndex;
        int rot = rotor++;
        if (pi != ICMP_INDEX) {
            int c = t.hash(remoteAddr, addresses[addrIndex], remotePort, 0) & mask;
            int b = stacks.findAffine(g, c, rot);
            if (b >= 0) {
                return TICKET_HIT | stacks.popSlot(g, b);
            }
            b = stacks.findAny(g, rot);
            return b >= 0 ? TICKET_MISS | stacks.popSlot(g, b) : -1;
        }
        int b = stacks.findAny(g, rot);
        return b >= 0 ? TICKET_ICMP | stacks.popSlot(g, b) : -1;
    }

    /** {@return the port of a ticket {@link #takeAhead} gave: one load, nothing else} */
    int portAhead(long ticket) {
        return stacks.portAt((int) ticket);
    }

    /**
     * Reads the refcount of a port taken ahead, bringing in the line {@link #useAhead} writes; decides nothing.
     *
     * @return a value to keep, so that the load is not dropped
     */
    int peekAhead(int proto, int addrIndex, int port) {
        return rc((protoIndex(proto) * addresses.length + addrIndex) * m + own.localIndex(port));
    }

    /**
     * Puts a port taken ahead in use: its refcount becomes 1 and it is counted as {@link #allocate} counts it.
     *
     * @param proto the protocol the port was taken for
     * @param addrIndex the address it was taken on
     * @param ticket the ticket {@link #takeAhead} gave
     * @param port the ticket's port ({@link #portAhead})
     */
    void useAhead(int proto, int addrIndex, long ticket, int port) {
        int pi = protoIndex(proto);
        rc((pi * addresses.length + addrIndex) * m + own.localIndex(port), 1);
        add(mem, A_IN_USE + 8L * pi, 1);
        long kind = ticket & 3L << 32;
        if (kind != TICKET_ICMP) {
            add(mem, kind == TICKET_HIT ? A_HITS : A_MISSES, 1);
        }
    }

    /**
     * Gives a port taken ahead and not used back to its free stack, as if it had never been taken.
     *
     * @param proto the protocol the port was taken for
     * @param addrIndex the address it was taken on
     * @param port the ticket's port ({@link #portAhead})
     */
    void giveBack(int proto, int addrIndex, int port) {
        stacks.push(protoIndex(proto) * addresses.length + addrIndex, port);
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
        return shared.find(g, c, pi == ICMP_INDEX, attempt);
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
        if (rc == 0 || rc == MAX_REFCOUNT || reserved(idx)) {
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
            add(mem, A_ERRORS, 1);
            return;
        }
        rc(idx, (rc - 1));
        if (rc > 1) {
            return;
        }
        int pi = protoIndex(proto);
        add(mem, A_IN_USE + 8L * pi, -1);
        if (holdDownNanos == 0) {
            makeFree(idx);
            return;
        }
        hold(idx, now + holdDownNanos);
    }

    private void hold(int idx, long due) {
        int oldest = holdDown.cutIfFull();
        if (oldest >= 0) {
            // full: the oldest entry leaves early rather than losing the newest
            makeFree(oldest);
        }
        holdDown.hold(idx, due);
    }

    /**
     * Returns to their free stacks the held ports whose hold-down has ended, at most
     * {@value #TICK_LIMIT} per call. Allocation-free.
     *
     * @param now the time, {@link System#nanoTime()}
     */
    public void tick(long now) {
        for (int n = 0; n < TICK_LIMIT; n++) {
            int idx = holdDown.pollDue(now);
            if (idx < 0) {
                return;
            }
            makeFree(idx);
        }
    }

    /** A pair whose last user left and whose hold-down (if any) ended: back on its stack. */
    private void makeFree(int idx) {
        if (reserved(idx)) {
            // a static mapping took it meanwhile; it stays out of service
            return;
        }
        int g = idx / m;
        stacks.push(g, localPort[idx - g * m]);
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
        if (reserved(idx)) {
            return true;
        }
        setBit(mem, reservedBitsAt, idx);
        add(mem, A_RESERVED, 1);
        if (rc(idx) == 0 && !holdDown.isHeld(idx)) {
            stacks.remove(idx / m, port);
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
        if (idx < 0 || !reserved(idx)) {
            return;
        }
        clearBit(mem, reservedBitsAt, idx);
        add(mem, A_RESERVED, -1);
        if (rc(idx) == 0 && !holdDown.isHeld(idx)) {
            stacks.push(idx / m, port);
        }
    }

    /**
     * Lists the pairs a restart must not hand out at once ({@link HoldDown#visitRecent}). Control plane, only while
     * no worker runs the allocator; O(pairs).
     *
     * @param now the time, {@link System#nanoTime()}
     * @param out receives the pairs
     */
    public void visitRecent(long now, RecentPair out) {
        holdDown.visitRecent(now + holdDownNanos, localPort, addresses, out);
    }

    /**
     * Holds a free pair down until {@code due} (a start after a restart); in ascending order of due, before publication.
     *
     * @return false, changing nothing, if the pair is not this allocator's, not free, or there is no hold-down
     */
    public boolean holdFree(int proto, int addrIndex, int port, long due) {
        int idx = pairIndex(proto, addrIndex, port);
        if (idx < 0 || holdDownNanos == 0 || reserved(idx) || rc(idx) != 0 || holdDown.isHeld(idx)) {
            return false;
        }
        stacks.remove(idx / m, port);
        hold(idx, due);
        return true;
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
        return mem.byteSize() + 2L * localPort.length + 4L * bucketStart.length + stacks.heapBytes()
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
        return pi < 0 ? 0 : read(mem, A_IN_USE + 8L * pi);
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
            n += m - stacks.freeOf(pi * addresses.length + addrIndex);
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
        return holdDown.heldOf(addrIndex);
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
        return read(mem, A_HELD);
    }

    /** {@return pairs on the free stacks; any thread} */
    public long free() {
        return read(mem, A_FREE);
    }

    /** {@return reserved pairs; any thread} */
    public long reserved() {
        return read(mem, A_RESERVED);
    }

    /** {@return the owned address-port pairs over the three protocols} */
    public long total() {
        return pairs;
    }

    /** {@return allocations whose port brings the return traffic to this worker; any thread} */
    public long affinityHits() {
        return read(mem, A_HITS);
    }

    /** {@return TCP/UDP allocations that found no RSS-affine port and took another; any thread} */
    public long affinityMisses() {
        return read(mem, A_MISSES);
    }

    /** {@return held pairs freed early because the hold-down FIFO was full; any thread} */
    public long holdCutShort() {
        return read(mem, A_CUT);
    }

    /** {@return releases of pairs not in use (or not this allocator's), ignored; any thread} */
    public long releaseErrors() {
        return read(mem, A_ERRORS);
    }
}
