package dev.natgw.nat.fastpath;

import static dev.natgw.nat.handover.SessionLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.natgw.nat.handover.HandOverFormat;
import dev.natgw.nat.handover.SessionLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One worker's mappings and sessions, off-heap in one shared {@link Arena} owned by the table, with
 * the timer wheel that expires the sessions ({@link TimerWheel}) and the per-inside-host port counts for quotas
 * ({@link HostTable}), which work on the table's segments.
 *
 * <p>
 * Invariants: used by exactly one worker thread (only {@link #size()}, {@link #mappings()}, {@link #sessionsInState} and
 * {@link #capacity()} may be read from others); allocation-free and lock-free after construction;
 * no Java object per session. A <em>mapping</em> is an inside endpoint bound to an outside endpoint
 * for one protocol and counts its sessions; a <em>session</em> is a mapping plus one remote
 * endpoint. Indexes are {@code int}s, {@code -1} for none. A session's inside and outside endpoints
 * are its mapping's. Several live mappings may share an inside key or an outside key (a port reused
 * towards other destinations); the finders return the most recently added and
 * {@link #nextMappingIn}/{@link #nextMappingOut} walk the others. Session lookups are exact on the
 * 5-tuple. The table does not check that a key is new: the caller looks it up first. Passing the
 * index of a free record to a getter returns garbage; the removers check and throw
 * {@link IllegalStateException}, which is a bug in the caller.
 *
 * <p>
 * Memory: {@code capacity} session records and as many mapping records, four hash-head arrays
 * (session in/out, mapping in/out; a power of two of {@code int}s, chained through the records), a
 * 4096-slot timer wheel and the host table. Without the host table this is at most 128 bytes per
 * session of capacity for any capacity of at least 4096 (the fixed 16 KiB wheel dominates below);
 * {@link #bytesPerSession()} and {@link #bytes()} report the true figures.
 *
 * <p>
 * The records, the header that holds every scalar of the table and the counters segment are laid out as
 * {@link SessionLayout} describes, so the whole table is its memory and another bundle revision can adopt it
 * ({@link #SessionTable(Arena, Map)}); the version is {@link HandOverFormat#LAYOUT_VERSION}.
 */
public final class SessionTable implements AutoCloseable {
    /** The largest capacity: indexes and byte offsets stay well inside {@code int} and memory. */
    public static final int MAX_CAPACITY = 1 << 28;

    /** Sessions examined per {@link #pollDue} call, so one call never stalls a burst. */
    public static final int POLL_BUDGET = 1024;

    // size and mapping count: written with release by the worker so other threads read a recent value
    private static final VarHandle SIZE = JAVA_INT.varHandle();
    private static final VarHandle MAPPINGS = SIZE;

    private final Arena arena;
    private final MemorySegment hdr;
    private final MemorySegment sessions;
    private final MemorySegment maps;
    private final MemorySegment sInHeads;
    private final MemorySegment sOutHeads;
    private final MemorySegment mInHeads;
    private final MemorySegment mOutHeads;
    private final MemorySegment wheel;
    private final MemorySegment hosts;
    private final MemorySegment counters;
    private final int capacity;
    private final int headMask;
    private final int hostMask;
    private final long seed;
    private final TimerWheel timers;
    private final HostTable hostTable;
    private boolean closed;

    /**
     * Allocates the table.
     *
     * @param capacity sessions (and mappings), 1..{@link #MAX_CAPACITY}
     * @param hostCapacity inside hosts the quota table holds, at least 1 (its slot array is the next
     *        power of two above a quarter more, so probes stay short when full)
     */
    public SessionTable(int capacity, int hostCapacity) {
        this(capacity, hostCapacity, headsFor(capacity));
    }

    /** For tests: forces the number of hash heads (a power of two) to provoke long chains. */
    @SuppressWarnings("MustBeClosedChecker") // the table owns its arena: close() or a hand-over deposit ends it
    SessionTable(int capacity, int hostCapacity, int headCount) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 1.." + MAX_CAPACITY + ", was " + capacity);
        }
        if (hostCapacity < 1 || hostCapacity > (1 << 28)) {
            throw new IllegalArgumentException("hostCapacity must be 1..2^28, was " + hostCapacity);
        }
        if (headCount < 1 || Integer.bitCount(headCount) != 1) {
            throw new IllegalArgumentException("headCount must be a power of two, was " + headCount);
        }
        this.capacity = capacity;
        this.headMask = headCount - 1;
        int hostSlots = ceilPow2(hostCapacity + hostCapacity / 4 + 1);
        this.hostMask = hostSlots - 1;
        // a random seed keeps outside peers from choosing remote ports that all land in one chain
        this.seed = ThreadLocalRandom.current().nextLong();
        Arena a = Arena.ofShared();
        try {
            hdr = a.allocate(T_BYTES, 64);
            sessions = OffHeap.allocate(a, S_BYTES * capacity);
            maps = OffHeap.allocate(a, M_BYTES * capacity);
            sInHeads = minusOnes(a, headCount);
            sOutHeads = minusOnes(a, headCount);
            mInHeads = minusOnes(a, headCount);
            mOutHeads = minusOnes(a, headCount);
            wheel = minusOnes(a, WHEEL_SLOTS);
            hosts = a.allocate(H_BYTES * hostSlots, 64);
            counters = a.allocate(8L * COUNTER_SLOTS, 64);
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
        this.arena = a;
        hdr.set(JAVA_INT, T_LAYOUT, HandOverFormat.LAYOUT_VERSION);
        hdr.set(JAVA_INT, T_CAPACITY, capacity);
        hdr.set(JAVA_INT, T_HEADS, headCount);
        hdr.set(JAVA_INT, T_HOST_SLOTS, hostSlots);
        hdr.set(JAVA_INT, T_HOST_LIMIT, hostCapacity);
        hdr.set(JAVA_LONG, T_SEED, seed);
        hdr.set(JAVA_INT, T_S_FREE, -1);
        hdr.set(JAVA_INT, T_M_FREE, -1);
        hdr.set(JAVA_INT, T_CURSOR_NODE, FROM_HEAD);
        this.timers = new TimerWheel(hdr, sessions, wheel);
        this.hostTable = new HostTable(hdr, hosts, hostMask, hostCapacity, seed);
    }

    /**
     * Takes over the memory of a table that another revision of this bundle made, as {@link #segments()}
     * gave it: only reads the header's immutable fields, so the table's previous user may still be running on
     * it until the dataplane swaps the stages. From now on this table owns the arena.
     *
     * @param arena the arena that owns the segments
     * @param segs the segments by {@link SessionLayout#SEGMENT_NAMES}
     * @throws IllegalArgumentException naming what does not fit (layout version, a missing or short segment)
     */
    public SessionTable(Arena arena, Map<String, MemorySegment> segs) {
        MemorySegment h = need(segs, "header", T_BYTES);
        int layout = h.get(JAVA_INT, T_LAYOUT);
        if (layout != HandOverFormat.LAYOUT_VERSION) {
            throw new IllegalArgumentException(
                    "session table layout " + layout + " != " + HandOverFormat.LAYOUT_VERSION);
        }
        this.hdr = h;
        this.capacity = h.get(JAVA_INT, T_CAPACITY);
        int headCount = h.get(JAVA_INT, T_HEADS);
        int hostSlots = h.get(JAVA_INT, T_HOST_SLOTS);
        if (capacity < 1 || capacity > MAX_CAPACITY || headCount < 1 || Integer.bitCount(headCount) != 1
                || hostSlots < 1 || Integer.bitCount(hostSlots) != 1) {
            throw new IllegalArgumentException("session table header is damaged: capacity " + capacity + ", heads "
                    + headCount + ", host slots " + hostSlots);
        }
        this.headMask = headCount - 1;
        this.hostMask = hostSlots - 1;
        int hostLimit = h.get(JAVA_INT, T_HOST_LIMIT);
        this.seed = h.get(JAVA_LONG, T_SEED);
        this.sessions = need(segs, "sessions", S_BYTES * capacity);
        this.maps = need(segs, "mappings", M_BYTES * capacity);
        this.sInHeads = need(segs, "sessionInHeads", 4L * headCount);
        this.sOutHeads = need(segs, "sessionOutHeads", 4L * headCount);
        this.mInHeads = need(segs, "mappingInHeads", 4L * headCount);
        this.mOutHeads = need(segs, "mappingOutHeads", 4L * headCount);
        this.wheel = need(segs, "wheel", 4L * WHEEL_SLOTS);
        this.hosts = need(segs, "hosts", H_BYTES * hostSlots);
        this.counters = need(segs, "counters", 8L * COUNTER_SLOTS);
        this.arena = arena;
        this.timers = new TimerWheel(hdr, sessions, wheel);
        this.hostTable = new HostTable(hdr, hosts, hostMask, hostLimit, seed);
    }

    private static MemorySegment need(Map<String, MemorySegment> segs, String name, long bytes) {
        MemorySegment m = segs.get(name);
        if (m == null || m.byteSize() < bytes) {
            throw new IllegalArgumentException("session table segment " + name + " is "
                    + (m == null ? "missing" : m.byteSize() + " bytes, not " + bytes));
        }
        return m;
    }

    /** {@return the table's memory by {@link SessionLayout#SEGMENT_NAMES}, for a hand-over} */
    public Map<String, MemorySegment> segments() {
        List<MemorySegment> all = List.of(hdr, sessions, maps, sInHeads, sOutHeads, mInHeads, mOutHeads, wheel, hosts,
                counters);
        Map<String, MemorySegment> out = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            out.put(SEGMENT_NAMES.get(i), all.get(i));
        }
        return out;
    }

    /** {@return the worker's published counters, {@link SessionLayout#COUNTER_SLOTS} {@code long}s, handed over with the table} */
    public MemorySegment counters() {
        return counters;
    }

    /** {@return the arena that owns the table's memory} */
    public Arena arena() {
        return arena;
    }

    /**
     * Gives the memory away: a later {@link #close()} no longer frees it, whoever took {@link #arena()} does.
     * The table stays usable until then.
     */
    public void disown() {
        closed = true;
    }

    private static MemorySegment minusOnes(Arena a, int ints) {
        MemorySegment m = OffHeap.allocate(a, 4L * ints);
        m.fill((byte) 0xff);
        return m;
    }

    /** The next power of two at or above the capacity, halved once if that would break 128 B per session. */
    static int headsFor(int capacity) {
        int h = ceilPow2(capacity);
        long fixed = (S_BYTES + M_BYTES) * capacity + 4L * WHEEL_SLOTS;
        if (h > 1 && fixed + 16L * h > 128L * capacity) {
            h >>= 1;
        }
        return h;
    }

    private static int ceilPow2(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    // ---------------------------------------------------------------- sizes

    /** Sessions (and mappings) the table holds at most. */
    public int capacity() {
        return capacity;
    }

    /** Live sessions; readable from any thread. */
    public int size() {
        return (int) SIZE.getAcquire(hdr, T_SIZE);
    }

    /** Live mappings; readable from any thread. */
    public int mappings() {
        return (int) MAPPINGS.getAcquire(hdr, T_MAPPINGS);
    }

    /** Off-heap bytes of the whole table, host table included. */
    public long bytes() {
        return hdr.byteSize() + sessions.byteSize() + maps.byteSize() + sInHeads.byteSize() + sOutHeads.byteSize()
                + mInHeads.byteSize() + mOutHeads.byteSize() + wheel.byteSize() + hosts.byteSize();
    }

    /** Off-heap bytes per session of capacity without the host table (which callers size apart). */
    public double bytesPerSession() {
        return (double) (bytes() - hosts.byteSize()) / capacity;
    }

    /** The hash seed the indexes and the host table were built with. */
    public long seed() {
        return seed;
    }

    /** Frees the off-heap memory; every later call may throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    // ---------------------------------------------------------------- hashing

    static long mix(long x) {
        // two multiply-xorshift rounds: every input bit reaches every output bit
        x ^= x >>> 32;
        x *= 0xd6e8feb86659fd93L;
        x ^= x >>> 32;
        x *= 0xd6e8feb86659fd93L;
        x ^= x >>> 32;
        return x;
    }

    private static long endpointKey(int proto, int addr, int port) {
        return (addr & 0xffffffffL) << 24 | (long) port << 8 | proto;
    }

    private int mappingBucket(int proto, int addr, int port) {
        return (int) mix(seed ^ endpointKey(proto, addr, port)) & headMask;
    }

    private int sessionBucket(int proto, int addr, int port, int remAddr, int remPort) {
        long h = mix(seed ^ endpointKey(proto, addr, port));
        return (int) mix(h + ((remAddr & 0xffffffffL) << 16 | remPort)) & headMask;
    }

    private static int head(MemorySegment heads, int b) {
        return heads.getAtIndex(JAVA_INT, b);
    }

    private static void head(MemorySegment heads, int b, int v) {
        heads.setAtIndex(JAVA_INT, b, v);
    }

    // ---------------------------------------------------------------- record access

    private int si(int s, long f) {
        return sessions.get(JAVA_INT, s * S_BYTES + f);
    }

    private void si(int s, long f, int v) {
        sessions.set(JAVA_INT, s * S_BYTES + f, v);
    }

    private int sflags(int s) {
        return sessions.get(JAVA_BYTE, s * S_BYTES + S_FLAGS) & 0xff;
    }

    private void sflags(int s, int v) {
        sessions.set(JAVA_BYTE, s * S_BYTES + S_FLAGS, (byte) v);
    }

    private int mi(int m, long f) {
        return maps.get(JAVA_INT, m * M_BYTES + f);
    }

    private void mi(int m, long f, int v) {
        maps.set(JAVA_INT, m * M_BYTES + f, v);
    }

    private int mu16(int m, long f) {
        return maps.get(JAVA_CHAR, m * M_BYTES + f);
    }

    private int mu8(int m, long f) {
        return maps.get(JAVA_BYTE, m * M_BYTES + f) & 0xff;
    }

    // ---------------------------------------------------------------- mappings

    /** The most recently added live mapping with this inside key, or -1. */
    public int findMappingIn(int proto, int inAddr, int inPort) {
        int m = head(mInHeads, mappingBucket(proto, inAddr, inPort));
        while (m != -1 && !mappingInIs(m, proto, inAddr, inPort)) {
            m = mi(m, M_IN_NEXT);
        }
        return m;
    }

    /** The next (older) live mapping with the same inside key as {@code m}, or -1. */
    public int nextMappingIn(int m) {
        int proto = mProto(m), inAddr = mInAddr(m), inPort = mInPort(m);
        int n = mi(m, M_IN_NEXT);
        while (n != -1 && !mappingInIs(n, proto, inAddr, inPort)) {
            n = mi(n, M_IN_NEXT);
        }
        return n;
    }

    /** The most recently added live mapping with this outside key, or -1. */
    public int findMappingOut(int proto, int outAddr, int outPort) {
        int m = head(mOutHeads, mappingBucket(proto, outAddr, outPort));
        while (m != -1 && !mappingOutIs(m, proto, outAddr, outPort)) {
            m = mi(m, M_OUT_NEXT);
        }
        return m;
    }

    /** The next (older) live mapping with the same outside key as {@code m}, or -1. */
    public int nextMappingOut(int m) {
        int proto = mProto(m), outAddr = mOutAddr(m), outPort = mOutPort(m);
        int n = mi(m, M_OUT_NEXT);
        while (n != -1 && !mappingOutIs(n, proto, outAddr, outPort)) {
            n = mi(n, M_OUT_NEXT);
        }
        return n;
    }

    private boolean mappingInIs(int m, int proto, int inAddr, int inPort) {
        return mi(m, M_IN_ADDR) == inAddr && mu16(m, M_IN_PORT) == inPort && mu8(m, M_PROTO) == proto;
    }

    private boolean mappingOutIs(int m, int proto, int outAddr, int outPort) {
        return mi(m, M_OUT_ADDR) == outAddr && mu16(m, M_OUT_PORT) == outPort && mu8(m, M_PROTO) == proto;
    }

    /**
     * Adds a mapping with no sessions; the caller has checked the keys.
     *
     * @param proto 0..255
     * @param pool 0..65535
     * @param flags 0..255
     * @return its index, or -1 when the table is full
     */
    public int addMapping(int proto, int inAddr, int inPort, int outAddr, int outPort, int pool, int flags) {
        if (((proto | flags) & ~0xff) != 0 || ((inPort | outPort | pool) & ~0xffff) != 0) {
            throw new IllegalArgumentException("proto/flags must fit 8 bits, ports/pool 16 bits");
        }
        int m = hdr.get(JAVA_INT, T_M_FREE);
        if (m != -1) {
            hdr.set(JAVA_INT, T_M_FREE, mi(m, M_IN_NEXT));
        } else if (hdr.get(JAVA_INT, T_M_HWM) < capacity) {
            m = hdr.get(JAVA_INT, T_M_HWM);
            hdr.set(JAVA_INT, T_M_HWM, m + 1);
        } else {
            return -1;
        }
        long o = m * M_BYTES;
        maps.set(JAVA_INT, o + M_IN_ADDR, inAddr);
        maps.set(JAVA_INT, o + M_OUT_ADDR, outAddr);
        maps.set(JAVA_CHAR, o + M_IN_PORT, (char) inPort);
        maps.set(JAVA_CHAR, o + M_OUT_PORT, (char) outPort);
        maps.set(JAVA_BYTE, o + M_PROTO, (byte) proto);
        maps.set(JAVA_BYTE, o + M_FLAGS, (byte) flags);
        maps.set(JAVA_CHAR, o + M_POOL, (char) pool);
        maps.set(JAVA_INT, o + M_SESSIONS, 0);
        maps.set(JAVA_INT, o + M_FIRST, -1);
        // head insertion keeps the most recent mapping of a shared key first in its chain
        int bi = mappingBucket(proto, inAddr, inPort);
        maps.set(JAVA_INT, o + M_IN_NEXT, head(mInHeads, bi));
        head(mInHeads, bi, m);
        int bo = mappingBucket(proto, outAddr, outPort);
        maps.set(JAVA_INT, o + M_OUT_NEXT, head(mOutHeads, bo));
        head(mOutHeads, bo, m);
        MAPPINGS.setRelease(hdr, T_MAPPINGS, mappings() + 1);
        return m;
    }

    /**
     * Removes a mapping.
     *
     * @throws IllegalStateException if it is not live or still has sessions (a bug in the caller)
     */
    public void removeMapping(int m) {
        checkMapping(m);
        if (mi(m, M_SESSIONS) != 0) {
            throw new IllegalStateException("mapping " + m + " still has " + mi(m, M_SESSIONS) + " sessions");
        }
        int proto = mProto(m);
        unlinkMapping(mInHeads, mappingBucket(proto, mInAddr(m), mInPort(m)), m, M_IN_NEXT);
        unlinkMapping(mOutHeads, mappingBucket(proto, mOutAddr(m), mOutPort(m)), m, M_OUT_NEXT);
        mi(m, M_SESSIONS, -1);
        mi(m, M_IN_NEXT, hdr.get(JAVA_INT, T_M_FREE));
        hdr.set(JAVA_INT, T_M_FREE, m);
        MAPPINGS.setRelease(hdr, T_MAPPINGS, mappings() - 1);
    }

    private void unlinkMapping(MemorySegment heads, int b, int m, long next) {
        int cur = head(heads, b);
        if (cur == m) {
            head(heads, b, mi(m, next));
            return;
        }
        while (cur != -1) {
            int n = mi(cur, next);
            if (n == m) {
                mi(cur, next, mi(m, next));
                return;
            }
            cur = n;
        }
        throw new IllegalStateException("mapping " + m + " missing from its chain: table corrupt");
    }

    private void checkMapping(int m) {
        if (m < 0 || m >= hdr.get(JAVA_INT, T_M_HWM) || mi(m, M_SESSIONS) < 0) {
            throw new IllegalStateException("mapping " + m + " is not live");
        }
    }

    /** The number of sessions of a live mapping. */
    public int mappingSessions(int m) {
        return mi(m, M_SESSIONS);
    }

    /** The most recently added session of a mapping, or -1. */
    public int firstSession(int m) {
        return mi(m, M_FIRST);
    }

    /** The next session of the same mapping, or -1. */
    public int nextSessionOfMapping(int s) {
        return si(s, S_MAP_NEXT);
    }

    public int mInAddr(int m) {
        return mi(m, M_IN_ADDR);
    }

    public int mInPort(int m) {
        return mu16(m, M_IN_PORT);
    }

    public int mOutAddr(int m) {
        return mi(m, M_OUT_ADDR);
    }

    public int mOutPort(int m) {
        return mu16(m, M_OUT_PORT);
    }

    public int mProto(int m) {
        return mu8(m, M_PROTO);
    }

    public int mPool(int m) {
        return mu16(m, M_POOL);
    }

    public int mFlags(int m) {
        return mu8(m, M_FLAGS);
    }

    // ---------------------------------------------------------------- sessions

    /**
     * Reads the first session of the in-index bucket of a key, without comparing anything: the first of the
     * loads {@link #findIn} makes, issued early for a whole burst so the cache misses of its packets overlap.
     *
     * @param proto the IP protocol number
     * @param inAddr the inside address
     * @param inPort the inside port
     * @param remAddr the remote address
     * @param remPort the remote port
     * @return the bucket's first session, or -1
     */
    public int peekIn(int proto, int inAddr, int inPort, int remAddr, int remPort) {
        return head(sInHeads, sessionBucket(proto, inAddr, inPort, remAddr, remPort));
    }

    /**
     * Reads the first session of the out-index bucket of a key; see {@link #peekIn}.
     *
     * @param proto the IP protocol number
     * @param outAddr the outside address
     * @param outPort the outside port
     * @param remAddr the remote address
     * @param remPort the remote port
     * @return the bucket's first session, or -1
     */
    public int peekOut(int proto, int outAddr, int outPort, int remAddr, int remPort) {
        return head(sOutHeads, sessionBucket(proto, outAddr, outPort, remAddr, remPort));
    }

    /**
     * Reads a session's mapping index, bringing the session's record into the cache; see {@link #peekIn}.
     *
     * @param s a session index from {@link #peekIn} or {@link #peekOut}
     * @return its mapping
     */
    public int peekSession(int s) {
        return si(s, S_MAPPING);
    }

    /**
     * Reads a mapping's inside address, bringing the mapping's record into the cache; see {@link #peekIn}.
     *
     * @param m a mapping index from {@link #peekSession}
     * @return its inside address
     */
    public int peekMapping(int m) {
        return mi(m, M_IN_ADDR);
    }

    /** The live session with this inside 5-tuple (the most recent if the caller added twice), or -1. */
    public int findIn(int proto, int inAddr, int inPort, int remAddr, int remPort) {
        int s = head(sInHeads, sessionBucket(proto, inAddr, inPort, remAddr, remPort));
        while (s != -1) {
            if (si(s, S_REM_ADDR) == remAddr && remPort(s) == remPort) {
                int m = si(s, S_MAPPING);
                if (mappingInIs(m, proto, inAddr, inPort)) {
                    return s;
                }
            }
            s = si(s, S_IN_NEXT);
        }
        return -1;
    }

    /** The live session with this outside 5-tuple (the most recent if the caller added twice), or -1. */
    public int findOut(int proto, int outAddr, int outPort, int remAddr, int remPort) {
        int s = head(sOutHeads, sessionBucket(proto, outAddr, outPort, remAddr, remPort));
        while (s != -1) {
            if (si(s, S_REM_ADDR) == remAddr && remPort(s) == remPort) {
                int m = si(s, S_MAPPING);
                if (mappingOutIs(m, proto, outAddr, outPort)) {
                    return s;
                }
            }
            s = si(s, S_OUT_NEXT);
        }
        return -1;
    }

    /**
     * Adds a session of live mapping {@code m} towards {@code remAddr:remPort}, state 0, last seen and
     * created {@code now}, not on the wheel.
     *
     * @return its index, or -1 when the table is full
     * @throws IllegalStateException if {@code m} is not live (a bug in the caller)
     */
    public int addSession(int m, int remAddr, int remPort, long now) {
        checkMapping(m);
        int s = hdr.get(JAVA_INT, T_S_FREE);
        if (s != -1) {
            hdr.set(JAVA_INT, T_S_FREE, si(s, S_IN_NEXT));
        } else if (hdr.get(JAVA_INT, T_S_HWM) < capacity) {
            s = hdr.get(JAVA_INT, T_S_HWM);
            hdr.set(JAVA_INT, T_S_HWM, s + 1);
        } else {
            return -1;
        }
        long o = s * S_BYTES;
        int proto = mProto(m);
        sessions.set(JAVA_INT, o + S_MAPPING, m);
        sessions.set(JAVA_INT, o + S_REM_ADDR, remAddr);
        sessions.set(JAVA_CHAR, o + S_REM_PORT, (char) remPort);
        sessions.set(JAVA_BYTE, o + S_STATE, (byte) 0);
        sessions.set(JAVA_BYTE, o + S_FLAGS, (byte) LIVE);
        sessions.set(JAVA_LONG, o + S_LAST_SEEN, now);
        sessions.set(JAVA_LONG, o + S_CREATED, now);
        sessions.set(JAVA_LONG, o + S_DUE, 0L);
        sessions.set(JAVA_INT, o + S_WHEEL_PREV, -1);
        sessions.set(JAVA_INT, o + S_WHEEL_NEXT, -1);
        int bi = sessionBucket(proto, mInAddr(m), mInPort(m), remAddr, remPort);
        sessions.set(JAVA_INT, o + S_IN_NEXT, head(sInHeads, bi));
        head(sInHeads, bi, s);
        int bo = sessionBucket(proto, mOutAddr(m), mOutPort(m), remAddr, remPort);
        sessions.set(JAVA_INT, o + S_OUT_NEXT, head(sOutHeads, bo));
        head(sOutHeads, bo, s);
        int first = mi(m, M_FIRST);
        sessions.set(JAVA_INT, o + S_MAP_PREV, -1);
        sessions.set(JAVA_INT, o + S_MAP_NEXT, first);
        if (first != -1) {
            si(first, S_MAP_PREV, s);
        }
        mi(m, M_FIRST, s);
        mi(m, M_SESSIONS, mi(m, M_SESSIONS) + 1);
        addInState(0, 1);
        SIZE.setRelease(hdr, T_SIZE, size() + 1);
        return s;
    }

    /**
     * Removes a session: out of both indexes (O(chain length)), its mapping's list and the wheel. The
     * mapping stays, with one session less.
     *
     * @throws IllegalStateException if {@code s} is not live (a bug in the caller)
     */
    public void removeSession(int s) {
        if (!isLive(s)) {
            throw new IllegalStateException("session " + s + " is not live");
        }
        timers.unschedule(s);
        int m = si(s, S_MAPPING);
        int proto = mProto(m), remAddr = si(s, S_REM_ADDR), remPort = remPort(s);
        unlinkSession(sInHeads, sessionBucket(proto, mInAddr(m), mInPort(m), remAddr, remPort), s, S_IN_NEXT);
        unlinkSession(sOutHeads, sessionBucket(proto, mOutAddr(m), mOutPort(m), remAddr, remPort), s,
                S_OUT_NEXT);
        int prev = si(s, S_MAP_PREV), next = si(s, S_MAP_NEXT);
        if (prev == -1) {
            mi(m, M_FIRST, next);
        } else {
            si(prev, S_MAP_NEXT, next);
        }
        if (next != -1) {
            si(next, S_MAP_PREV, prev);
        }
        mi(m, M_SESSIONS, mi(m, M_SESSIONS) - 1);
        addInState(state(s), -1);
        sflags(s, 0);
        si(s, S_MAPPING, -1);
        si(s, S_IN_NEXT, hdr.get(JAVA_INT, T_S_FREE));
        hdr.set(JAVA_INT, T_S_FREE, s);
        SIZE.setRelease(hdr, T_SIZE, size() - 1);
    }

    private void unlinkSession(MemorySegment heads, int b, int s, long next) {
        int cur = head(heads, b);
        if (cur == s) {
            head(heads, b, si(s, next));
            return;
        }
        while (cur != -1) {
            int n = si(cur, next);
            if (n == s) {
                si(cur, next, si(s, next));
                return;
            }
            cur = n;
        }
        throw new IllegalStateException("session " + s + " missing from its chain: table corrupt");
    }

    /** Whether {@code s} is a live session index. */
    public boolean isLive(int s) {
        return s >= 0 && s < hdr.get(JAVA_INT, T_S_HWM) && (sflags(s) & LIVE) != 0;
    }

    public int mapping(int s) {
        return si(s, S_MAPPING);
    }

    public int remAddr(int s) {
        return si(s, S_REM_ADDR);
    }

    public int remPort(int s) {
        return sessions.get(JAVA_CHAR, s * S_BYTES + S_REM_PORT);
    }

    /** The state, 0..255 (the translator stores {@link dev.natgw.nat.handover.TcpStateCodes} codes). */
    public int state(int s) {
        return sessions.get(JAVA_BYTE, s * S_BYTES + S_STATE) & 0xff;
    }

    /** Sets the state, 0..255. */
    public void setState(int s, int st) {
        int old = state(s);
        if (old == (st & 0xff)) {
            return;
        }
        sessions.set(JAVA_BYTE, s * S_BYTES + S_STATE, (byte) st);
        addInState(old, -1);
        addInState(st & 0xff, 1);
    }

    private void addInState(int st, int delta) {
        long at = T_STATES + 4L * st;
        SIZE.setRelease(hdr, at, hdr.get(JAVA_INT, at) + delta);
    }

    /**
     * Returns the live sessions whose state is {@code st}; like {@link #size()}, readable from any thread.
     * Exact on the worker; another thread sees the counts of a recent moment, each one on its own (a session
     * changing state may briefly be seen in both or neither).
     *
     * @param st the state, 0..255 (a {@link dev.natgw.nat.handover.TcpStateCodes} code; 0 also counts every non-TCP
     *     session)
     * @return the count
     */
    public int sessionsInState(int st) {
        return (int) SIZE.getAcquire(hdr, T_STATES + 4L * st);
    }

    public long lastSeen(int s) {
        return sessions.get(JAVA_LONG, s * S_BYTES + S_LAST_SEEN);
    }

    /** Sets last seen; the wheel is untouched (the expiry handler compares and reschedules). */
    public void touch(int s, long now) {
        sessions.set(JAVA_LONG, s * S_BYTES + S_LAST_SEEN, now);
    }

    public long created(int s) {
        return sessions.get(JAVA_LONG, s * S_BYTES + S_CREATED);
    }

    /** The next live session index at or after {@code fromIndex}, or -1; for control-plane scans. */
    public int nextLive(int fromIndex) {
        for (int s = Math.max(fromIndex, 0); s < hdr.get(JAVA_INT, T_S_HWM); s++) {
            if ((sflags(s) & LIVE) != 0) {
                return s;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- timer wheel and hosts (see TimerWheel, HostTable)

    /** Puts live session {@code s} on the wheel due at {@code dueNanos}; see {@link TimerWheel#schedule}. */
    public void schedule(int s, long dueNanos) {
        timers.schedule(s, dueNanos);
    }

    /** Takes {@code s} off the wheel if it is on it. */
    public void unschedule(int s) {
        timers.unschedule(s);
    }

    /** The due time last given to {@link #schedule}, 0 if never. */
    public long due(int s) {
        return timers.due(s);
    }

    /** Whether {@code s} is on the wheel. */
    public boolean isScheduled(int s) {
        return timers.isScheduled(s);
    }

    /** Sessions on the wheel. */
    public int scheduled() {
        return timers.scheduled();
    }

    /** A due session taken off the wheel, or -1; see {@link TimerWheel#pollDue}. */
    public int pollDue(long now) {
        return timers.pollDue(now);
    }

    /** The home slot of an inside address in the host table (visible for collision tests). */
    int hostHome(int inAddr) {
        return hostTable.home(inAddr);
    }

    /** Hosts the table accepts. */
    public int hostCapacity() {
        return hostTable.capacity();
    }

    /** Hosts with a non-zero count. */
    public int hostCount() {
        return hostTable.count();
    }

    /** Ports the inside host holds for the protocol (6, 17 or 1; 0 for any other). */
    public int hostPorts(int inAddr, int proto) {
        return hostTable.ports(inAddr, proto);
    }

    /** Adds to the host's count for the protocol; see {@link HostTable#add}. */
    public boolean hostAdd(int inAddr, int proto, int delta) {
        return hostTable.add(inAddr, proto, delta);
    }
}
