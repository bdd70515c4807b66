package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.SessionRecords.*;
import static dev.natgw.nat.handover.SessionLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The mappings of a {@link SessionTable}: their records, free list and the two hash indexes (inside key, outside
 * key), chained through the records, over the table's segments. A mapping is an inside endpoint bound to an
 * outside endpoint for one protocol; several live mappings may share a key (a port reused towards other
 * destinations), the most recent first in its chain. The finders and the adders run on the slow path (a new
 * flow) and the control path; the per-packet session lookup reads mapping fields through {@link SessionRecords}
 * on the table's own segment, not through this object.
 *
 * <p>
 * Invariants: used by the table's one worker thread only (the live count is written with release for
 * {@link SessionTable#mappings()}); allocation-free and lock-free; a free record has session count -1 and is
 * linked into the free list through its in-chain field.
 */
final class MappingTable {
    private static final VarHandle MAPPINGS = JAVA_INT.varHandle();

    private final MemorySegment hdr;
    private final MemorySegment maps;
    private final MemorySegment inHeads;
    private final MemorySegment outHeads;
    private final int capacity;
    private final int headMask;
    private final long seed;

    MappingTable(SessionMemory mem) {
        this.hdr = mem.hdr;
        this.maps = mem.maps;
        this.inHeads = mem.mInHeads;
        this.outHeads = mem.mOutHeads;
        this.capacity = mem.capacity;
        this.headMask = mem.headMask;
        this.seed = mem.seed;
    }

    /** Live mappings; any thread. */
    int count() {
        return (int) MAPPINGS.getAcquire(hdr, T_MAPPINGS);
    }

    /** The first mapping of the inside key's chain, or -1: the first load {@link #findIn} makes; decides nothing. */
    int headIn(int proto, int inAddr, int inPort) {
        return head(inHeads, mappingBucket(seed, headMask, proto, inAddr, inPort));
    }

    /** The most recently added live mapping with this inside key, or -1. */
    int findIn(int proto, int inAddr, int inPort) {
        int m = head(inHeads, mappingBucket(seed, headMask, proto, inAddr, inPort));
        while (m != -1 && !mappingInIs(maps, m, proto, inAddr, inPort)) {
            m = mi(maps, m, M_IN_NEXT);
        }
        return m;
    }

    /** The next (older) live mapping with the same inside key as {@code m}, or -1. */
    int nextIn(int m) {
        int proto = mu8(maps, m, M_PROTO), inAddr = mi(maps, m, M_IN_ADDR), inPort = mu16(maps, m, M_IN_PORT);
        int n = mi(maps, m, M_IN_NEXT);
        while (n != -1 && !mappingInIs(maps, n, proto, inAddr, inPort)) {
            n = mi(maps, n, M_IN_NEXT);
        }
        return n;
    }

    /** The most recently added live mapping with this outside key, or -1. */
    int findOut(int proto, int outAddr, int outPort) {
        int m = head(outHeads, mappingBucket(seed, headMask, proto, outAddr, outPort));
        while (m != -1 && !mappingOutIs(maps, m, proto, outAddr, outPort)) {
            m = mi(maps, m, M_OUT_NEXT);
        }
        return m;
    }

    /** The next (older) live mapping with the same outside key as {@code m}, or -1. */
    int nextOut(int m) {
        int proto = mu8(maps, m, M_PROTO), outAddr = mi(maps, m, M_OUT_ADDR), outPort = mu16(maps, m, M_OUT_PORT);
        int n = mi(maps, m, M_OUT_NEXT);
        while (n != -1 && !mappingOutIs(maps, n, proto, outAddr, outPort)) {
            n = mi(maps, n, M_OUT_NEXT);
        }
        return n;
    }

    /**
     * Adds a mapping with no sessions; the caller has checked the keys.
     *
     * @return its index, or -1 when the table is full
     * @throws IllegalArgumentException if proto or flags do not fit 8 bits, or a port or pool 16 bits
     */
    int add(int proto, int inAddr, int inPort, int outAddr, int outPort, int pool, int flags) {
        if (((proto | flags) & ~0xff) != 0 || ((inPort | outPort | pool) & ~0xffff) != 0) {
            throw new IllegalArgumentException("proto/flags must fit 8 bits, ports/pool 16 bits");
        }
        int m = hdr.get(JAVA_INT, T_M_FREE);
        if (m != -1) {
            hdr.set(JAVA_INT, T_M_FREE, mi(maps, m, M_IN_NEXT));
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
        int bi = mappingBucket(seed, headMask, proto, inAddr, inPort);
        maps.set(JAVA_INT, o + M_IN_NEXT, head(inHeads, bi));
        head(inHeads, bi, m);
        int bo = mappingBucket(seed, headMask, proto, outAddr, outPort);
        maps.set(JAVA_INT, o + M_OUT_NEXT, head(outHeads, bo));
        head(outHeads, bo, m);
        MAPPINGS.setRelease(hdr, T_MAPPINGS, count() + 1);
        return m;
    }

    /**
     * Removes a mapping.
     *
     * @throws IllegalStateException if it is not live or still has sessions (a bug in the caller)
     */
    void remove(int m) {
        check(m);
        if (mi(maps, m, M_SESSIONS) != 0) {
            throw new IllegalStateException("mapping " + m + " still has " + mi(maps, m, M_SESSIONS) + " sessions");
        }
        int proto = mu8(maps, m, M_PROTO);
        unlinkMapping(inHeads, mappingBucket(seed, headMask, proto, mi(maps, m, M_IN_ADDR), mu16(maps, m, M_IN_PORT)),
                m,
                M_IN_NEXT);
        unlinkMapping(outHeads,
                mappingBucket(seed, headMask, proto, mi(maps, m, M_OUT_ADDR), mu16(maps, m, M_OUT_PORT)), m,
                M_OUT_NEXT);
        mi(maps, m, M_SESSIONS, -1);
        mi(maps, m, M_IN_NEXT, hdr.get(JAVA_INT, T_M_FREE));
        hdr.set(JAVA_INT, T_M_FREE, m);
        MAPPINGS.setRelease(hdr, T_MAPPINGS, count() - 1);
    }

    private void unlinkMapping(MemorySegment heads, int b, int m, long next) {
        if (!unlink(heads, b, maps, M_BYTES, m, next)) {
            throw new IllegalStateException("mapping " + m + " missing from its chain: table corrupt");
        }
    }

    /** @throws IllegalStateException if {@code m} is not a live mapping (a bug in the caller) */
    void check(int m) {
        if (m < 0 || m >= hdr.get(JAVA_INT, T_M_HWM) || mi(maps, m, M_SESSIONS) < 0) {
            throw new IllegalStateException("mapping " + m + " is not live");
        }
    }
}
