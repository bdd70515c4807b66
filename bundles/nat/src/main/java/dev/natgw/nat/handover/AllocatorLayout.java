package dev.natgw.nat.handover;

/**
 * The off-heap layout of one worker's port allocator for one pool, as a new revision adopts it (version
 * {@link HandOverFormat#LAYOUT_VERSION}). Native byte order; P = pairs = 3 * addresses * owned ports, G = 3 *
 * addresses (protocol index TCP 0, UDP 1, ICMP 2, times the addresses, plus the address index), R = RETA size,
 * W = ceil(R / 64), H = hold capacity.
 *
 * <p>
 * Header of {@link #A_HEADER} bytes: 0 {@code int} layout version, 4 {@code int} worker, 8 {@code int} owned
 * ports, 12 {@code int} G, 16 {@code int} R, 20 {@code int} H (all immutable); 24 {@code int} hold-down FIFO head,
 * 28 {@code int} its size; 32 {@code long} held, 40 free, 48 reserved, 56 affinity hits, 64 affinity misses, 72
 * holds cut short, 80 release errors, 88/96/104 in use for TCP/UDP/ICMP (counters written with release);
 * 112..191 reserved (0). Then, each starting 8-byte aligned ({@link #arrays}): the free stacks ({@code u16} x
 * P), refcounts ({@code u16} x P), held bits and reserved bits ({@code long} x ceil(P / 64) each), free counts
 * per bucket ({@code int} x G * R), free pairs per group ({@code int} x G), held pairs per address over the three
 * protocols ({@code int} x addresses), non-empty bucket bitmaps ({@code long} x G * W), the hold-down FIFO's pair
 * indexes ({@code int} x H) and due times ({@code long} x H, {@code System.nanoTime()}). A deposit names the
 * memory {@link HandOverFormat#allocatorSegment}. Constants and pure functions only.
 */
public final class AllocatorLayout {
    /** Bytes of the header at the start of the memory. */
    public static final long A_HEADER = 192;
    public static final long A_LAYOUT = 0;
    public static final long A_WORKER = 4;
    public static final long A_OWNED = 8;
    public static final long A_GROUPS = 12;
    public static final long A_RETA = 16;
    public static final long A_HOLD_CAPACITY = 20;
    public static final long A_HOLD_HEAD = 24;
    public static final long A_HOLD_SIZE = 28;
    public static final long A_HELD = 32;
    public static final long A_FREE = 40;
    public static final long A_RESERVED = 48;
    public static final long A_HITS = 56;
    public static final long A_MISSES = 64;
    public static final long A_CUT = 72;
    public static final long A_ERRORS = 80;
    /** Three {@code long}s: pairs in use per protocol index. */
    public static final long A_IN_USE = 88;
    /** The first reserved byte of the header. */
    public static final long A_USED = 112;

    /** Index of the free stacks' offset in {@link #arrays}'s answer; the others follow in the order below. */
    public static final int AT_STACK = 0;
    public static final int AT_REFCOUNT = 1;
    public static final int AT_HELD_BITS = 2;
    public static final int AT_RESERVED_BITS = 3;
    public static final int AT_FREE_COUNT = 4;
    public static final int AT_FREE_BY_GROUP = 5;
    public static final int AT_HELD_BY_ADDRESS = 6;
    public static final int AT_NON_EMPTY = 7;
    public static final int AT_HOLD_INDEX = 8;
    public static final int AT_HOLD_DUE = 9;
    /** The total bytes, last in {@link #arrays}'s answer. */
    public static final int AT_BYTES = 10;

    private AllocatorLayout() {
    }

    /**
     * Computes where the arrays start for an allocator of this shape.
     *
     * @param addresses the pool's addresses
     * @param owned the ports this worker owns
     * @param retaSize the RSS redirection table size
     * @param holdCapacity the hold-down FIFO's capacity
     * @return the byte offsets by {@link #AT_STACK} .. {@link #AT_HOLD_DUE}, then the total at {@link #AT_BYTES}
     */
    public static long[] arrays(int addresses, int owned, int retaSize, int holdCapacity) {
        long groups = 3L * addresses;
        long pairs = groups * owned;
        long words = (retaSize + 63) >>> 6;
        long bitWords = (pairs + 63) >>> 6;
        long[] at = new long[AT_BYTES + 1];
        at[AT_STACK] = A_HEADER;
        at[AT_REFCOUNT] = align(at[AT_STACK] + 2 * pairs);
        at[AT_HELD_BITS] = align(at[AT_REFCOUNT] + 2 * pairs);
        at[AT_RESERVED_BITS] = at[AT_HELD_BITS] + 8 * bitWords;
        at[AT_FREE_COUNT] = at[AT_RESERVED_BITS] + 8 * bitWords;
        at[AT_FREE_BY_GROUP] = align(at[AT_FREE_COUNT] + 4L * groups * retaSize);
        at[AT_HELD_BY_ADDRESS] = align(at[AT_FREE_BY_GROUP] + 4L * groups);
        at[AT_NON_EMPTY] = align(at[AT_HELD_BY_ADDRESS] + 4L * addresses);
        at[AT_HOLD_INDEX] = at[AT_NON_EMPTY] + 8L * groups * words;
        at[AT_HOLD_DUE] = align(at[AT_HOLD_INDEX] + 4L * holdCapacity);
        at[AT_BYTES] = at[AT_HOLD_DUE] + 8L * holdCapacity;
        return at;
    }

    private static long align(long at) {
        return (at + 7) & -8L;
    }
}
