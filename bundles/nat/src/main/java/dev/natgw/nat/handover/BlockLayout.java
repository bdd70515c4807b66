package dev.natgw.nat.handover;

/**
 * The off-heap layout of one worker's port-block allocator for one pool (a pool in port-block or deterministic
 * mode), as a new revision adopts it (version {@link HandOverFormat#LAYOUT_VERSION}). Native byte order; NB = the
 * worker's blocks = addresses * blocks per address, B = the block's ports, WB = max(1, B / 64) bit words per block
 * and protocol, HS = host slots (a power of two).
 *
 * <p>
 * Header of {@link #B_HEADER} bytes: 0 {@code int} layout version, 4 {@code int} worker, 8 {@code int} addresses,
 * 12 {@code int} blocks per address, 16 {@code int} block size, 20 {@code int} HS, 24 {@code int} mode (1 port
 * blocks, 2 deterministic) (all immutable); 28 {@code int} hold-down FIFO head block and 32 its tail ({@code -1}
 * none); 40 {@code long} blocks owned, 48 blocks held, 56 affinity hits, 64 affinity misses, 72 refusals at the
 * block limit, 80 release errors, 88/96/104 ports in use for TCP/UDP/ICMP, 112 reserved ports (counters written
 * with release); 120..127 reserved (0).
 *
 * <p>
 * Then, each 8-byte aligned ({@link #arrays}): per block its owner ({@code int} inside address), ports in use over
 * the three protocols ({@code int}), state ({@code int}: 0 free, 1 owned, 2 held), link ({@code int}: the next
 * block of the owner, of the address's free stack or of the hold-down FIFO; -1 none) and hold-down end
 * ({@code long}, {@code System.nanoTime()}); per address the free stack's head ({@code int}) and its height
 * ({@code int}); per host slot the inside address, its first block and its block count ({@code int} each, count 0
 * for an empty slot; linear probing); then per protocol (TCP 0, UDP 1, ICMP 2), block and word the free, used and
 * reserved port bits ({@code long} x 3 * NB * WB each). A deposit names the memory
 * {@link HandOverFormat#blockSegment}. Constants and pure functions only.
 */
public final class BlockLayout {
    /** Bytes of the header. */
    public static final long B_HEADER = 128;
    public static final long B_LAYOUT = 0;
    public static final long B_WORKER = 4;
    public static final long B_ADDRESSES = 8;
    public static final long B_PER_ADDRESS = 12;
    public static final long B_SIZE = 16;
    public static final long B_HOST_SLOTS = 20;
    public static final long B_MODE = 24;
    public static final long B_HOLD_HEAD = 28;
    public static final long B_HOLD_TAIL = 32;
    public static final long B_OWNED = 40;
    public static final long B_HELD = 48;
    public static final long B_HITS = 56;
    public static final long B_MISSES = 64;
    public static final long B_REFUSED = 72;
    public static final long B_ERRORS = 80;
    /** Three {@code long}s: ports in use per protocol index. */
    public static final long B_IN_USE = 88;
    public static final long B_RESERVED = 112;

    /** Mode code: port blocks. */
    public static final int MODE_BLOCKS = 1;
    /** Mode code: deterministic. */
    public static final int MODE_DETERMINISTIC = 2;

    /** Block state codes. */
    public static final int FREE = 0;
    public static final int OWNED = 1;
    public static final int HELD = 2;

    public static final int AT_OWNER = 0;
    public static final int AT_USE = 1;
    public static final int AT_STATE = 2;
    public static final int AT_NEXT = 3;
    public static final int AT_DUE = 4;
    public static final int AT_FREE_HEAD = 5;
    public static final int AT_FREE_COUNT = 6;
    public static final int AT_HOST_ADDR = 7;
    public static final int AT_HOST_HEAD = 8;
    public static final int AT_HOST_COUNT = 9;
    public static final int AT_FREE_BITS = 10;
    public static final int AT_USED_BITS = 11;
    public static final int AT_RESERVED_BITS = 12;
    /** The total bytes, last in {@link #arrays}'s answer. */
    public static final int AT_BYTES = 13;

    private BlockLayout() {
    }

    /** {@return the bit words per block and protocol for a block size} */
    public static int wordsPerBlock(int blockSize) {
        return Math.max(1, blockSize >>> 6);
    }

    /** {@return the host slots for a worker's block count: a power of two at least twice the blocks} */
    public static int hostSlots(int blocks) {
        return Integer.highestOneBit(Math.max(2, 2 * blocks) - 1) << 1;
    }

    /**
     * Computes where the arrays start.
     *
     * @param addresses the pool's addresses
     * @param perAddress this worker's blocks per address
     * @param blockSize the ports of a block
     * @return the byte offsets by {@link #AT_OWNER} .. {@link #AT_RESERVED_BITS}, then the total at {@link #AT_BYTES}
     */
    public static long[] arrays(int addresses, int perAddress, int blockSize) {
        long nb = (long) addresses * perAddress;
        long hs = hostSlots((int) Math.min(Integer.MAX_VALUE / 4, nb));
        long bits = 3L * nb * wordsPerBlock(blockSize);
        long[] at = new long[AT_BYTES + 1];
        at[AT_OWNER] = B_HEADER;
        at[AT_USE] = align(at[AT_OWNER] + 4 * nb);
        at[AT_STATE] = align(at[AT_USE] + 4 * nb);
        at[AT_NEXT] = align(at[AT_STATE] + 4 * nb);
        at[AT_DUE] = align(at[AT_NEXT] + 4 * nb);
        at[AT_FREE_HEAD] = at[AT_DUE] + 8 * nb;
        at[AT_FREE_COUNT] = align(at[AT_FREE_HEAD] + 4L * addresses);
        at[AT_HOST_ADDR] = align(at[AT_FREE_COUNT] + 4L * addresses);
        at[AT_HOST_HEAD] = align(at[AT_HOST_ADDR] + 4 * hs);
        at[AT_HOST_COUNT] = align(at[AT_HOST_HEAD] + 4 * hs);
        at[AT_FREE_BITS] = align(at[AT_HOST_COUNT] + 4 * hs);
        at[AT_USED_BITS] = at[AT_FREE_BITS] + 8 * bits;
        at[AT_RESERVED_BITS] = at[AT_USED_BITS] + 8 * bits;
        at[AT_BYTES] = at[AT_RESERVED_BITS] + 8 * bits;
        return at;
    }

    private static long align(long at) {
        return (at + 7) & -8L;
    }
}
