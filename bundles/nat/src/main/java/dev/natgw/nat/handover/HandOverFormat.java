package dev.natgw.nat.handover;

/**
 * The one version of everything a new revision of the NAT bundle reads from the previous one, and the names it
 * finds it under: the session tables ({@link SessionLayout}), the port allocators ({@link AllocatorLayout}), the
 * TCP state codes in the session records ({@link TcpStateCodes}), the counters the workers publish
 * ({@link CounterIndex} and {@link Drops}) and the deposit's descriptor ({@link Descriptors} and the keys below).
 *
 * <p>
 * The rule: any change to a code, an offset, a size, a segment or descriptor name, or the meaning of a field bumps
 * {@link #LAYOUT_VERSION}; {@code HandOverFormatTest} pins every one of them and fails, saying so, when one
 * changes. A field added in a reserved area, whose 0 means "as before", keeps the version. The version is written
 * into the deposit, the session table header and the allocator header; a revision refuses a deposit of any other
 * version by name ({@code refused: layout 3 != 4; started clean}) and starts clean. Constants only, thread-safe.
 *
 * <p>
 * History: 1 kept the table header's scalars in Java fields; 2 moved them into the header; 3 added the counters
 * segment; 4 put every part under this one version (the allocators had their own, 1) with pinned TCP state codes
 * and counter indexes; 5 gave the drop counters room for 40 reasons, so a new reason no longer moves the pool
 * counters; 6 grew the host record to 32 bytes for the subscriber limits (sessions per host, the mapping bucket); 7
 * added the port-block allocators ({@link BlockLayout}, segments {@link #blockSegment}) and the pools' allocation
 * in the descriptor.
 */
public final class HandOverFormat {
    /** The version of the whole hand-over format, written in every header and in the deposit. */
    public static final int LAYOUT_VERSION = 7;

    /** The owner name of the NAT's deposits with the state keeper. */
    public static final String STATE_OWNER = "nat";

    // descriptor keys: JDK values only, so an update of the API bundle can still read them
    /** The depositing translator's random instance id: a deposit of its own is not a new revision's. */
    public static final String D_INSTANCE = "instance";
    /** Worker count ({@code Integer}). */
    public static final String D_WORKERS = "workers";
    /** Sessions per worker ({@code Integer}). */
    public static final String D_CAPACITY = "capacity";
    /** {@code hosts.max} ({@code Integer}). */
    public static final String D_HOSTS = "hosts";
    /** What decides port ownership ({@code String}, {@code NatEngine.rssFingerprint}). */
    public static final String D_RSS = "rss";
    /** The pools by slot, as {@link Descriptors#pools(java.util.List)} writes them. */
    public static final String D_POOLS = "pools";
    /** Names of the pools active at the deposit ({@code List<String>}). */
    public static final String D_ACTIVE = "active";
    /** The static mappings, as {@link Descriptors#statics(java.util.List)} writes them. */
    public static final String D_STATICS = "statics";

    private HandOverFormat() {
    }

    /**
     * Names a segment of a worker's session table in a deposit.
     *
     * @param worker the worker
     * @param segment one of {@link SessionLayout#SEGMENT_NAMES}
     * @return {@code w<worker>.<segment>}
     */
    public static String tableSegment(int worker, String segment) {
        return "w" + worker + "." + segment;
    }

    /**
     * Names a worker's allocator memory of a pool slot in a deposit.
     *
     * @param worker the worker
     * @param slot the pool slot
     * @return {@code w<worker>.pool<slot>}
     */
    public static String allocatorSegment(int worker, int slot) {
        return "w" + worker + ".pool" + slot;
    }

    /**
     * Names a worker's port-block allocator memory of a pool slot in a deposit.
     *
     * @param worker the worker
     * @param slot the pool slot
     * @return {@code w<worker>.blocks<slot>}
     */
    public static String blockSegment(int worker, int slot) {
        return "w" + worker + ".blocks" + slot;
    }
}
