package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.AllocatorMemory.*;
import static dev.natgw.nat.handover.BlockLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.natgw.nat.handover.BlockLayout;
import dev.natgw.nat.handover.HandOverFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The outside ports one worker hands out from one pool in port-block or deterministic mode: the worker's blocks
 * ({@link PortOwnership}'s block deal: aligned blocks of B ports, block {@code j} to worker {@code j % W}) on every
 * pool address, each block holding the same B port numbers for TCP, UDP and ICMP identifiers.
 *
 * <p>
 * <b>Port blocks</b>: an inside host (whose home worker this is) gets a block when it has no free port in its
 * blocks, up to {@code blocksPerHost}; all of a host's blocks are on one address (paired pooling, RFC 6888 REQ-2);
 * the block goes back, into hold-down for {@code holdDownNanos} and then to its address's free stack, when its last
 * port is released. <b>Deterministic</b>: a host's one block is fixed by the {@link DeterministicPlan} and never
 * changes hands, so it needs no hold-down.
 *
 * <p>
 * RSS affinity: an aligned block of 2^k ports covers 2^k distinct Toeplitz port parts, so for a flow with
 * {@code C = hash(remote, outAddr, remotePort, 0)} about B / W of a block's ports bring the return traffic to this
 * worker (see {@link PortAllocator}); {@link #allocate} looks for one among the host's free ports (at most
 * {@value #AFFINE_PROBES} probed) and takes another free port of the host's blocks when none is (a miss, counted).
 *
 * <p>
 * Invariants: <b>used by one worker thread only; allocation-free and lock-free</b> in {@link #allocate},
 * {@link #release} and {@link #tick}; a block is free (on its address's stack), owned (in its host's chain) or held
 * (in the hold-down FIFO), never two; a port is handed out only from a block its host owns, and only when neither
 * used nor reserved; an owned block's use count is the number of its used port bits. Counters are written with
 * release and may be read from any thread. All state is one off-heap segment laid out as {@link BlockLayout}
 * describes, so another revision can adopt it; the hosts' table and block chains in it are {@link BlockHosts}.
 */
public final class BlockAllocator {
    /** Most hold-down blocks {@link #tick} frees per call. */
    public static final int TICK_LIMIT = 4096;
    /** Free ports inspected for RSS affinity per block before taking any free one. */
    public static final int AFFINE_PROBES = 64;
    /** Addresses tried for a host's first block. */
    public static final int ADDRESS_TRIES = 64;
    /** {@link #lastRefusal}: no free block or port. */
    public static final int REFUSED_EXHAUSTED = 1;
    /** {@link #lastRefusal}: the host holds its limit of blocks, all full. */
    public static final int REFUSED_LIMIT = 2;

    private static final int ICMP_INDEX = 2;

    private final PortOwnership own;
    private final Toeplitz t;
    private final int workerId;
    private final int workers;
    private final int[] addresses;
    private final int blockSize;
    private final int wb;
    private final int perAddress;
    private final int nb;
    private final int blocksPerHost;
    private final long holdDownNanos;
    private final int mode;
    private final DeterministicPlan plan;
    private final int retaMask;
    /** Bit r set iff RETA entry r's queue is polled by this worker. */
    private final long[] ownerMask;

    private final MemorySegment mem;
    private final long ownerAt;
    private final long useAt;
    private final long stateAt;
    private final long nextAt;
    private final long dueAt;
    private final long freeHeadAt;
    private final long freeCountAt;
    private final long freeBitsAt;
    private final long usedBitsAt;
    private final long reservedBitsAt;
    /** The hosts and their chains of blocks, in {@link #mem}. */
    private final BlockHosts hosts;

    /** The address index of the last port {@link #allocate} returned. */
    int lastAddress;
    /** Whether the last successful {@link #allocate} took a new block for the host. */
    boolean lastNewBlock;
    /** Why the last {@link #allocate} returned -1: {@link #REFUSED_EXHAUSTED} or {@link #REFUSED_LIMIT}. */
    int lastRefusal;
    /** The address index and first port of the block the last {@link #release} gave back. */
    int releasedAddress;
    int releasedFirstPort;

    /**
     * Builds the allocator on new memory, or on memory another revision made, which it only reads here.
     *
     * @param own the pool's block deal ({@link PortOwnership#blockSize()} > 0)
     * @param t the Toeplitz hash with the NIC's key
     * @param workerId this worker
     * @param addresses the pool's outside addresses (copied)
     * @param blocksPerHost the most blocks one host holds (port-block mode)
     * @param holdDownNanos how long a released block stays out of service (port-block mode)
     * @param plan the deterministic plan, or null for port-block mode
     * @param arena where new memory comes from
     * @param adopt memory to take over, or null
     * @throws IllegalArgumentException if an argument is out of range or the adopted memory does not fit, naming why
     */
    public BlockAllocator(PortOwnership own, Toeplitz t, int workerId, int[] addresses, int blocksPerHost,
            long holdDownNanos, DeterministicPlan plan, Arena arena, MemorySegment adopt) {
        this.own = Objects.requireNonNull(own, "own");
        this.t = Objects.requireNonNull(t, "t");
        if (own.blockSize() == 0) {
            throw new IllegalArgumentException("the ports are not dealt in blocks");
        }
        if (workerId < 0 || workerId >= own.workers() || addresses.length == 0 || blocksPerHost < 1
                || holdDownNanos < 0) {
            throw new IllegalArgumentException("worker " + workerId + ", " + addresses.length + " addresses, "
                    + blocksPerHost + " blocks per host, hold-down " + holdDownNanos + " ns");
        }
        this.workerId = workerId;
        this.workers = own.workers();
        this.addresses = addresses.clone();
        this.blockSize = own.blockSize();
        this.wb = wordsPerBlock(blockSize);
        int blocks = own.blocks();
        this.perAddress = blocks > workerId ? (blocks - workerId + workers - 1) / workers : 0;
        long n = (long) addresses.length * perAddress;
        if (3L * n * wb * 64 > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("too many ports for one block allocator: " + n + " blocks");
        }
        this.nb = (int) n;
        this.blocksPerHost = blocksPerHost;
        this.holdDownNanos = holdDownNanos;
        this.mode = plan == null ? MODE_BLOCKS : MODE_DETERMINISTIC;
        this.plan = plan;
        this.retaMask = own.retaSize() - 1;
        this.ownerMask = new long[(own.retaSize() + 63) >>> 6];
        for (int r : own.retaEntries(workerId)) {
            ownerMask[r >>> 6] |= 1L << r;
        }
        long[] at = BlockLayout.arrays(addresses.length, perAddress, blockSize);
        ownerAt = at[AT_OWNER];
        useAt = at[AT_USE];
        stateAt = at[AT_STATE];
        nextAt = at[AT_NEXT];
        dueAt = at[AT_DUE];
        freeHeadAt = at[AT_FREE_HEAD];
        freeCountAt = at[AT_FREE_COUNT];
        freeBitsAt = at[AT_FREE_BITS];
        usedBitsAt = at[AT_USED_BITS];
        reservedBitsAt = at[AT_RESERVED_BITS];
        String why = adopt == null ? null : misfit(adopt, at[AT_BYTES]);
        if (why != null) {
            throw new IllegalArgumentException("block allocator of worker " + workerId + ": " + why);
        }
        mem = adopt != null ? adopt : OffHeap.allocate(arena, at[AT_BYTES]);
        hosts = new BlockHosts(mem, hostSlots(nb), at[AT_HOST_ADDR], at[AT_HOST_HEAD], at[AT_HOST_COUNT], nextAt);
        if (adopt == null) {
            int[] shape = shape();
            for (int i = 0; i < shape.length; i++) {
                mem.set(JAVA_INT, 4L * i, shape[i]);
            }
            fill();
        }
    }

    private int[] shape() {
        return new int[]{HandOverFormat.LAYOUT_VERSION, workerId, addresses.length, perAddress, blockSize,
                hostSlots(nb), mode};
    }

    private String misfit(MemorySegment adopt, long bytes) {
        if (adopt.byteSize() < B_HEADER) {
            return "memory is " + adopt.byteSize() + " bytes";
        }
        String[] names = {"layout", "worker", "addresses", "blocks per address", "block size", "host slots", "mode"};
        int[] want = shape();
        for (int i = 0; i < want.length; i++) {
            int was = adopt.get(JAVA_INT, 4L * i);
            if (was != want[i]) {
                return names[i] + " " + was + " != " + want[i];
            }
        }
        return adopt.byteSize() < bytes ? "memory is " + adopt.byteSize() + " bytes, not " + bytes : null;
    }

    /** New memory: every block free on its address's stack (lowest first), every port free. */
    private void fill() {
        mem.set(JAVA_INT, B_HOLD_HEAD, -1);
        mem.set(JAVA_INT, B_HOLD_TAIL, -1);
        for (int a = 0; a < addresses.length; a++) {
            i32(mem, freeHeadAt, a, -1);
            for (int i = perAddress - 1; i >= 0; i--) {
                pushFree(a * perAddress + i);
            }
        }
        long full = blockSize >= 64 ? -1L : (1L << blockSize) - 1;
        for (int pb = 0; pb < 3 * nb; pb++) {
            for (int k = 0; k < wb; k++) {
                i64(mem, freeBitsAt, pb * wb + k, full);
            }
        }
        hosts.clear();
    }

    /** {@return the allocator's memory, header first, for a hand-over} */
    public MemorySegment memory() {
        return mem;
    }

    // ---------------------------------------------------------------- allocation (worker)

    /**
     * Takes a port for a new mapping of an inside host, from its blocks, taking a new block when they have no free
     * port (port-block mode) or from its fixed block (deterministic mode); then {@link #lastAddress} is the
     * address index and {@link #lastNewBlock} tells whether a block was taken. Allocation-free.
     *
     * @param proto 6, 17 or 1
     * @param inAddr the inside host
     * @param remoteAddr the remote address
     * @param remotePort the remote port (ignored for ICMP)
     * @return the port, or -1 with {@link #lastRefusal} set
     */
    public int allocate(int proto, int inAddr, int remoteAddr, int remotePort) {
        lastNewBlock = false;
        lastRefusal = REFUSED_EXHAUSTED;
        int pi = protoIndex(proto);
        if (pi < 0) {
            return -1;
        }
        if (mode == MODE_DETERMINISTIC) {
            int r = plan.rank(inAddr);
            if (r < 0 || r >= nb) {
                return -1;
            }
            int a = r % addresses.length;
            int port = takeFrom(a * perAddress + r / addresses.length, pi,
                    affinityBase(pi, a, remoteAddr, remotePort), true);
            if (port < 0) {
                lastRefusal = REFUSED_LIMIT;
                return -1;
            }
            lastAddress = a;
            return port;
        }
        int h = hosts.find(inAddr);
        int count = h < 0 ? 0 : hosts.count(h);
        if (h >= 0) {
            int b = hosts.head(h);
            int a = b / perAddress;
            int c = affinityBase(pi, a, remoteAddr, remotePort);
            int spare = -1;
            for (; b >= 0; b = i32(mem, nextAt, b)) {
                int port = takeFrom(b, pi, c, false);
                if (port >= 0) {
                    lastAddress = a;
                    return port;
                }
                if (spare < 0 && hasFree(b, pi)) {
                    spare = b;
                }
            }
            if (spare >= 0) {
                // no RSS-affine port: better a handed-off return path than another block
                lastAddress = a;
                return takeFrom(spare, pi, c, true);
            }
            if (count >= blocksPerHost) {
                add(mem, B_REFUSED, 1);
                lastRefusal = REFUSED_LIMIT;
                return -1;
            }
            int nbk = popFree(a);
            if (nbk < 0) {
                return -1;
            }
            adopt(h, nbk, inAddr);
            lastNewBlock = true;
            lastAddress = a;
            return firstPort(nbk, pi, remoteAddr, remotePort);
        }
        int start = PortAllocator.addressIndex(inAddr, addresses.length);
        int tries = Math.min(addresses.length, ADDRESS_TRIES);
        for (int k = 0; k < tries; k++) {
            int a = (start + k) % addresses.length;
            int nbk = popFree(a);
            if (nbk < 0) {
                continue;
            }
            int slot = hosts.insert(inAddr);
            adopt(slot, nbk, inAddr);
            lastNewBlock = true;
            lastAddress = a;
            return firstPort(nbk, pi, remoteAddr, remotePort);
        }
        return -1;
    }

    /** A port of a block the host just got; a block whose ports are all reserved goes straight back. */
    private int firstPort(int b, int pi, int remoteAddr, int remotePort) {
        int port = takeFrom(b, pi, affinityBase(pi, b / perAddress, remoteAddr, remotePort), true);
        if (port < 0) {
            lastNewBlock = false;
            disown(b);
            pushFree(b);
        }
        return port;
    }

    private int affinityBase(int pi, int a, int remoteAddr, int remotePort) {
        return pi == ICMP_INDEX ? -1 : t.hash(remoteAddr, addresses[a], remotePort, 0) & retaMask;
    }

    /**
     * Takes a free port of a block: the first whose return traffic lands here among the first
     * {@value #AFFINE_PROBES} free ones, else, if {@code any}, the first free one; -1 if none is taken.
     */
    private int takeFrom(int b, int pi, int c, boolean any) {
        int base = (pi * nb + b) * wb;
        int first = firstPortOf(b);
        int firstFree = -1;
        int probes = 0;
        for (int k = 0; k < wb; k++) {
            long bits = i64(mem, freeBitsAt, base + k);
            while (bits != 0) {
                int x = k << 6 | Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (c < 0) {
                    return take(b, pi, base, x, first);
                }
                if (firstFree < 0) {
                    firstFree = x;
                }
                int r = (c ^ own.bucket(first + x)) & retaMask;
                if ((ownerMask[r >>> 6] & 1L << r) != 0) {
                    add(mem, B_HITS, 1);
                    return take(b, pi, base, x, first);
                }
                if (++probes >= AFFINE_PROBES) {
                    k = wb;
                    break;
                }
            }
        }
        if (any && firstFree >= 0) {
            add(mem, B_MISSES, 1);
            return take(b, pi, base, firstFree, first);
        }
        return -1;
    }

    private boolean hasFree(int b, int pi) {
        int base = (pi * nb + b) * wb;
        for (int k = 0; k < wb; k++) {
            if (i64(mem, freeBitsAt, base + k) != 0) {
                return true;
            }
        }
        return false;
    }

    private int take(int b, int pi, int base, int x, int first) {
        int bit = base << 6 | x;
        clearBit(mem, freeBitsAt, bit);
        setBit(mem, usedBitsAt, bit);
        int use = i32(mem, useAt, b);
        i32(mem, useAt, b, use + 1);
        if (use == 0 && mode == MODE_DETERMINISTIC) {
            // a deterministic block never leaves the stacks' count; it counts as owned while it has a port in use
            i32(mem, stateAt, b, OWNED);
            add(mem, B_OWNED, 1);
            addInt(mem, freeCountAt + 4L * (b / perAddress), -1);
        }
        add(mem, B_IN_USE + 8L * pi, 1);
        return first + x;
    }

    /**
     * Gives a port back; the last port of a port-block host's block sends the block into hold-down, and then
     * {@link #releasedAddress} and {@link #releasedFirstPort} name it. A port not in use here is counted in
     * {@link #releaseErrors()} and otherwise ignored. Allocation-free.
     *
     * @param proto 6, 17 or 1
     * @param addrIndex the address index
     * @param port the port
     * @param now the time, {@link System#nanoTime()}
     * @return whether a block was released
     */
    public boolean release(int proto, int addrIndex, int port, long now) {
        int pi = protoIndex(proto);
        int b = blockIndex(addrIndex, port);
        if (pi < 0 || b < 0) {
            add(mem, B_ERRORS, 1);
            return false;
        }
        int x = port - firstPortOf(b);
        int bit = ((pi * nb + b) * wb) << 6 | x;
        if (!bit(mem, usedBitsAt, bit)) {
            add(mem, B_ERRORS, 1);
            return false;
        }
        clearBit(mem, usedBitsAt, bit);
        if (!bit(mem, reservedBitsAt, bit)) {
            setBit(mem, freeBitsAt, bit);
        }
        add(mem, B_IN_USE + 8L * pi, -1);
        int use = i32(mem, useAt, b) - 1;
        i32(mem, useAt, b, use);
        if (use > 0) {
            return false;
        }
        if (mode == MODE_DETERMINISTIC) {
            i32(mem, stateAt, b, FREE);
            add(mem, B_OWNED, -1);
            addInt(mem, freeCountAt + 4L * addrIndex, 1);
            return false;
        }
        disown(b);
        releasedAddress = addrIndex;
        releasedFirstPort = firstPortOf(b);
        if (holdDownNanos == 0) {
            pushFree(b);
            return true;
        }
        i32(mem, stateAt, b, HELD);
        i64(mem, dueAt, b, now + holdDownNanos);
        i32(mem, nextAt, b, -1);
        int tail = mem.get(JAVA_INT, B_HOLD_TAIL);
        if (tail < 0) {
            mem.set(JAVA_INT, B_HOLD_HEAD, b);
        } else {
            i32(mem, nextAt, tail, b);
        }
        mem.set(JAVA_INT, B_HOLD_TAIL, b);
        add(mem, B_HELD, 1);
        return true;
    }

    /**
     * Returns to their free stacks the blocks whose hold-down has ended, at most {@value #TICK_LIMIT} per call.
     * Allocation-free.
     *
     * @param now the time, {@link System#nanoTime()}
     */
    public void tick(long now) {
        for (int n = 0; n < TICK_LIMIT; n++) {
            int b = mem.get(JAVA_INT, B_HOLD_HEAD);
            if (b < 0 || i64(mem, dueAt, b) - now > 0) {
                return;
            }
            int next = i32(mem, nextAt, b);
            mem.set(JAVA_INT, B_HOLD_HEAD, next);
            if (next < 0) {
                mem.set(JAVA_INT, B_HOLD_TAIL, -1);
            }
            add(mem, B_HELD, -1);
            pushFree(b);
        }
    }

    /** The host gets a free block popped off its address's stack; {@code h} is its slot (inserted if new). */
    private void adopt(int h, int b, int inAddr) {
        i32(mem, ownerAt, b, inAddr);
        i32(mem, stateAt, b, OWNED);
        i32(mem, useAt, b, 0);
        hosts.link(h, b);
        add(mem, B_OWNED, 1);
    }

    /** Takes an owned block out of its host's chain, deleting the host with its last block. */
    private void disown(int b) {
        hosts.unlink(i32(mem, ownerAt, b), b);
        add(mem, B_OWNED, -1);
    }

    private void pushFree(int b) {
        int a = b / perAddress;
        i32(mem, stateAt, b, FREE);
        i32(mem, nextAt, b, i32(mem, freeHeadAt, a));
        i32(mem, freeHeadAt, a, b);
        addInt(mem, freeCountAt + 4L * a, 1);
    }

    private int popFree(int a) {
        int b = i32(mem, freeHeadAt, a);
        if (b < 0) {
            return -1;
        }
        i32(mem, freeHeadAt, a, i32(mem, nextAt, b));
        addInt(mem, freeCountAt + 4L * a, -1);
        return b;
    }

    // ---------------------------------------------------------------- static ports (worker, control rate)

    /**
     * Takes a port out of service for a static mapping: a free port stops being free; one in use stays out of
     * service when released. Idempotent.
     *
     * @return false if the port is not in one of this worker's blocks (or proto or address is invalid)
     */
    public boolean reserve(int proto, int addrIndex, int port) {
        int bit = portBit(proto, addrIndex, port);
        if (bit < 0) {
            return false;
        }
        if (!bit(mem, reservedBitsAt, bit)) {
            setBit(mem, reservedBitsAt, bit);
            clearBit(mem, freeBitsAt, bit);
            add(mem, B_RESERVED, 1);
        }
        return true;
    }

    /** Returns a reserved port to service: free again unless in use. */
    public void unreserve(int proto, int addrIndex, int port) {
        int bit = portBit(proto, addrIndex, port);
        if (bit < 0 || !bit(mem, reservedBitsAt, bit)) {
            return;
        }
        clearBit(mem, reservedBitsAt, bit);
        add(mem, B_RESERVED, -1);
        if (!bit(mem, usedBitsAt, bit)) {
            setBit(mem, freeBitsAt, bit);
        }
    }

    private int portBit(int proto, int addrIndex, int port) {
        int pi = protoIndex(proto);
        int b = blockIndex(addrIndex, port);
        return pi < 0 || b < 0 ? -1 : ((pi * nb + b) * wb) << 6 | (port - firstPortOf(b));
    }

    // ---------------------------------------------------------------- geometry

    /** This worker's block index of an address and port, or -1 if the port is in none of its blocks. */
    int blockIndex(int addrIndex, int port) {
        int j = own.blockOf(port);
        if (j < 0 || j % workers != workerId || addrIndex < 0 || addrIndex >= addresses.length) {
            return -1;
        }
        return addrIndex * perAddress + j / workers;
    }

    /** {@return the first port of one of this worker's blocks} */
    int firstPortOf(int b) {
        return own.blockFirstPort(workerId + (b % perAddress) * workers);
    }

    private static int protoIndex(int proto) {
        return switch (proto) {
            case PortAllocator.TCP -> 0;
            case PortAllocator.UDP -> 1;
            case PortAllocator.ICMP -> ICMP_INDEX;
            default -> -1;
        };
    }

    // ---------------------------------------------------------------- reading (any thread)

    /** {@return the ports of a block} */
    public int blockSize() {
        return blockSize;
    }

    /** {@return this worker's blocks per address} */
    public int perAddress() {
        return perAddress;
    }

    /** {@return the blocks hosts own now; any thread} */
    public long blocksOwned() {
        return read(mem, B_OWNED);
    }

    /** {@return the blocks in hold-down; any thread} */
    public long blocksHeld() {
        return read(mem, B_HELD);
    }

    /** {@return the free blocks of one address; any thread} */
    public int blocksFree(int addrIndex) {
        return readInt(mem, freeCountAt + 4L * addrIndex);
    }

    /** {@return refusals because a host held its limit of blocks, all full; any thread} */
    public long refusedAtLimit() {
        return read(mem, B_REFUSED);
    }

    /** {@return ports in use over the three protocols; any thread} */
    public long inUse() {
        return read(mem, B_IN_USE) + read(mem, B_IN_USE + 8) + read(mem, B_IN_USE + 16);
    }

    /** {@return address-port pairs held down: the three protocols' ports of each held block; any thread} */
    public long held() {
        return 3L * blockSize * blocksHeld();
    }

    /** {@return reserved pairs; any thread} */
    public long reserved() {
        return read(mem, B_RESERVED);
    }

    /** {@return allocations whose port brings the return traffic to this worker; any thread} */
    public long affinityHits() {
        return read(mem, B_HITS);
    }

    /** {@return TCP/UDP allocations that found no RSS-affine free port in the host's blocks; any thread} */
    public long affinityMisses() {
        return read(mem, B_MISSES);
    }

    /** {@return releases of ports not in use here, ignored; any thread} */
    public long releaseErrors() {
        return read(mem, B_ERRORS);
    }

    /** {@return the pairs of one address this worker owns over the three protocols} */
    public long ownedPerAddress() {
        return 3L * perAddress * blockSize;
    }

    /**
     * Returns the pairs of one address that are not free for a new host: the three protocols' ports of the
     * address's blocks owned or held. Any thread, approximate while the worker runs.
     *
     * @param addrIndex the address
     * @return the busy pairs
     */
    public long busy(int addrIndex) {
        return 3L * blockSize * (perAddress - blocksFree(addrIndex));
    }

    /**
     * Returns the owner of one of this worker's blocks, for a test or a command on a stopped worker; 0 when free.
     *
     * @param addrIndex the address
     * @param port a port of the block
     * @return the inside address, 0 if the block is not owned (or not this worker's)
     */
    public int ownerOf(int addrIndex, int port) {
        int b = blockIndex(addrIndex, port);
        return b < 0 || i32(mem, stateAt, b) != OWNED ? 0 : i32(mem, ownerAt, b);
    }
}
