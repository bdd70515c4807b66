package dev.natgw.nat.fastpath;

import static dev.natgw.nat.handover.SessionLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.natgw.nat.handover.HandOverFormat;
import dev.natgw.nat.handover.SessionLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The memory of one {@link SessionTable}: its segments, made new in an arena of their own or adopted from another
 * revision of the bundle after checking the header, and the immutable shape read from that header. Control plane
 * only (construction and hand-over); the table copies the segments into final fields of its own, so this object
 * is not on the packet path. Immutable after construction; the arena closes with the table that owns it.
 */
final class SessionMemory {
    final Arena arena;
    final MemorySegment hdr;
    final MemorySegment sessions;
    final MemorySegment maps;
    final MemorySegment sInHeads;
    final MemorySegment sOutHeads;
    final MemorySegment mInHeads;
    final MemorySegment mOutHeads;
    final MemorySegment wheel;
    final MemorySegment hosts;
    final MemorySegment counters;
    final int capacity;
    final int headMask;
    final int hostMask;
    final int hostLimit;
    final long seed;

    private SessionMemory(Arena arena, MemorySegment[] segs) {
        this.arena = arena;
        this.hdr = segs[0];
        this.sessions = segs[1];
        this.maps = segs[2];
        this.sInHeads = segs[3];
        this.sOutHeads = segs[4];
        this.mInHeads = segs[5];
        this.mOutHeads = segs[6];
        this.wheel = segs[7];
        this.hosts = segs[8];
        this.counters = segs[9];
        this.capacity = hdr.get(JAVA_INT, T_CAPACITY);
        this.headMask = hdr.get(JAVA_INT, T_HEADS) - 1;
        this.hostMask = hdr.get(JAVA_INT, T_HOST_SLOTS) - 1;
        this.hostLimit = hdr.get(JAVA_INT, T_HOST_LIMIT);
        this.seed = hdr.get(JAVA_LONG, T_SEED);
    }

    /**
     * Allocates an empty table in a new shared arena.
     *
     * @param capacity sessions (and mappings), 1..{@link SessionTable#MAX_CAPACITY}
     * @param hostCapacity inside hosts the quota table holds, 1..2^28
     * @param headCount hash heads per index, a power of two
     * @return the memory, header written
     * @throws IllegalArgumentException if an argument is out of range
     */
    @SuppressWarnings("MustBeClosedChecker") // the table owns the arena: close() or a hand-over deposit ends it
    static SessionMemory allocate(int capacity, int hostCapacity, int headCount) {
        if (capacity < 1 || capacity > SessionTable.MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "capacity must be 1.." + SessionTable.MAX_CAPACITY + ", was " + capacity);
        }
        if (hostCapacity < 1 || hostCapacity > (1 << 28)) {
            throw new IllegalArgumentException("hostCapacity must be 1..2^28, was " + hostCapacity);
        }
        if (headCount < 1 || Integer.bitCount(headCount) != 1) {
            throw new IllegalArgumentException("headCount must be a power of two, was " + headCount);
        }
        int hostSlots = ceilPow2(hostCapacity + hostCapacity / 4 + 1);
        MemorySegment[] segs = new MemorySegment[SEGMENT_NAMES.size()];
        Arena a = Arena.ofShared();
        try {
            segs[0] = a.allocate(T_BYTES, 64);
            segs[1] = OffHeap.allocate(a, S_BYTES * capacity);
            segs[2] = OffHeap.allocate(a, M_BYTES * capacity);
            for (int i = 3; i <= 6; i++) {
                segs[i] = minusOnes(a, headCount);
            }
            segs[7] = minusOnes(a, WHEEL_SLOTS);
            segs[8] = a.allocate(H_BYTES * hostSlots, 64);
            segs[9] = a.allocate(8L * COUNTER_SLOTS, 64);
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
        MemorySegment hdr = segs[0];
        hdr.set(JAVA_INT, T_LAYOUT, HandOverFormat.LAYOUT_VERSION);
        hdr.set(JAVA_INT, T_CAPACITY, capacity);
        hdr.set(JAVA_INT, T_HEADS, headCount);
        hdr.set(JAVA_INT, T_HOST_SLOTS, hostSlots);
        hdr.set(JAVA_INT, T_HOST_LIMIT, hostCapacity);
        // a random seed keeps outside peers from choosing remote ports that all land in one chain
        hdr.set(JAVA_LONG, T_SEED, ThreadLocalRandom.current().nextLong());
        hdr.set(JAVA_INT, T_S_FREE, -1);
        hdr.set(JAVA_INT, T_M_FREE, -1);
        hdr.set(JAVA_INT, T_CURSOR_NODE, FROM_HEAD);
        return new SessionMemory(a, segs);
    }

    /**
     * Checks the memory another revision of this bundle made, reading only the header's immutable fields, so its
     * previous user may still be running on it.
     *
     * @param arena the arena that owns the segments
     * @param segs the segments by {@link SessionLayout#SEGMENT_NAMES}
     * @return the memory
     * @throws IllegalArgumentException naming what does not fit (layout version, a missing or short segment)
     */
    static SessionMemory adopt(Arena arena, Map<String, MemorySegment> segs) {
        MemorySegment h = need(segs, "header", T_BYTES);
        int layout = h.get(JAVA_INT, T_LAYOUT);
        if (layout != HandOverFormat.LAYOUT_VERSION) {
            throw new IllegalArgumentException(
                    "session table layout " + layout + " != " + HandOverFormat.LAYOUT_VERSION);
        }
        int capacity = h.get(JAVA_INT, T_CAPACITY);
        int headCount = h.get(JAVA_INT, T_HEADS);
        int hostSlots = h.get(JAVA_INT, T_HOST_SLOTS);
        if (capacity < 1 || capacity > SessionTable.MAX_CAPACITY || headCount < 1 || Integer.bitCount(headCount) != 1
                || hostSlots < 1 || Integer.bitCount(hostSlots) != 1) {
            throw new IllegalArgumentException("session table header is damaged: capacity " + capacity + ", heads "
                    + headCount + ", host slots " + hostSlots);
        }
        long[] bytes = {T_BYTES, S_BYTES * capacity, M_BYTES * capacity, 4L * headCount, 4L * headCount,
                4L * headCount, 4L * headCount, 4L * WHEEL_SLOTS, H_BYTES * hostSlots, 8L * COUNTER_SLOTS};
        MemorySegment[] all = new MemorySegment[bytes.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = need(segs, SEGMENT_NAMES.get(i), bytes[i]);
        }
        return new SessionMemory(arena, all);
    }

    private static MemorySegment need(Map<String, MemorySegment> segs, String name, long bytes) {
        MemorySegment m = segs.get(name);
        if (m == null || m.byteSize() < bytes) {
            throw new IllegalArgumentException("session table segment " + name + " is "
                    + (m == null ? "missing" : m.byteSize() + " bytes, not " + bytes));
        }
        return m;
    }

    /** {@return the segments by {@link SessionLayout#SEGMENT_NAMES}, for a hand-over} */
    Map<String, MemorySegment> segments() {
        List<MemorySegment> all = List.of(hdr, sessions, maps, sInHeads, sOutHeads, mInHeads, mOutHeads, wheel, hosts,
                counters);
        Map<String, MemorySegment> out = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            out.put(SEGMENT_NAMES.get(i), all.get(i));
        }
        return out;
    }

    /** {@return off-heap bytes of the whole table, host table included, counters not} */
    long bytes() {
        return hdr.byteSize() + sessions.byteSize() + maps.byteSize() + sInHeads.byteSize() + sOutHeads.byteSize()
                + mInHeads.byteSize() + mOutHeads.byteSize() + wheel.byteSize() + hosts.byteSize();
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
}
