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

/**
 * The memory of one {@link PortAllocator} as {@link AllocatorLayout} lays it out: the header made or checked, and
 * static accessors for the arrays (an array's byte offset passed by the caller, which computed it once from
 * {@link AllocatorLayout#arrays}). Static methods over the caller's segment, so {@link PortAllocator},
 * {@link FreeStacks} and {@link HoldDown} share the memory with no object between them and it: after inlining
 * these are the loads and stores they would write by hand. No state. Header counters are written by the
 * allocator's worker with release and read from any thread with acquire.
 */
final class AllocatorMemory {
    private static final VarHandle LV = JAVA_LONG.varHandle();
    private static final VarHandle IV = JAVA_INT.varHandle();

    private AllocatorMemory() {
    }

    /**
     * Allocates zeroed memory and writes the header's immutable fields; the caller fills the free stacks.
     *
     * @return the memory, {@code bytes} long
     */
    static MemorySegment create(Arena arena, long bytes, int workerId, int owned, int groups, int retaSize,
            int holdCapacity) {
        MemorySegment mem = OffHeap.allocate(arena, bytes);
        mem.set(JAVA_INT, A_LAYOUT, HandOverFormat.LAYOUT_VERSION);
        mem.set(JAVA_INT, A_WORKER, workerId);
        mem.set(JAVA_INT, A_OWNED, owned);
        mem.set(JAVA_INT, A_GROUPS, groups);
        mem.set(JAVA_INT, A_RETA, retaSize);
        mem.set(JAVA_INT, A_HOLD_CAPACITY, holdCapacity);
        return mem;
    }

    /**
     * Checks that memory another revision made fits this allocator's shape, reading only the header's immutable
     * fields (its previous user may still be running on it).
     *
     * @return null if it fits, else what does not
     */
    static String misfit(MemorySegment adopt, long bytes, int workerId, int owned, int groups, int retaSize,
            int holdCapacity) {
        if (adopt.byteSize() < A_HEADER) {
            return "memory is " + adopt.byteSize() + " bytes";
        }
        if (adopt.get(JAVA_INT, A_LAYOUT) != HandOverFormat.LAYOUT_VERSION) {
            return "layout " + adopt.get(JAVA_INT, A_LAYOUT) + " != " + HandOverFormat.LAYOUT_VERSION;
        }
        String[] names = {"worker", "owned ports", "address groups", "RETA", "hold capacity"};
        long[] at = {A_WORKER, A_OWNED, A_GROUPS, A_RETA, A_HOLD_CAPACITY};
        int[] want = {workerId, owned, groups, retaSize, holdCapacity};
        for (int i = 0; i < names.length; i++) {
            int was = adopt.get(JAVA_INT, at[i]);
            if (was != want[i]) {
                return names[i] + " " + was + " != " + want[i];
            }
        }
        if (adopt.byteSize() < bytes) {
            return "memory is " + adopt.byteSize() + " bytes, not " + bytes;
        }
        return null;
    }

    // ---------------------------------------------------------------- arrays

    static int u16(MemorySegment mem, long array, int i) {
        return mem.get(JAVA_CHAR, array + 2L * i);
    }

    static void u16(MemorySegment mem, long array, int i, int v) {
        mem.set(JAVA_CHAR, array + 2L * i, (char) v);
    }

    static int i32(MemorySegment mem, long array, int i) {
        return mem.get(JAVA_INT, array + 4L * i);
    }

    static void i32(MemorySegment mem, long array, int i, int v) {
        mem.set(JAVA_INT, array + 4L * i, v);
    }

    static long i64(MemorySegment mem, long array, int i) {
        return mem.get(JAVA_LONG, array + 8L * i);
    }

    static void i64(MemorySegment mem, long array, int i, long v) {
        mem.set(JAVA_LONG, array + 8L * i, v);
    }

    /** Bit {@code i} of a bitset of {@code long} words. */
    static boolean bit(MemorySegment mem, long bits, int i) {
        return (mem.get(JAVA_LONG, bits + 8L * (i >>> 6)) & 1L << i) != 0;
    }

    static void setBit(MemorySegment mem, long bits, int i) {
        long at = bits + 8L * (i >>> 6);
        mem.set(JAVA_LONG, at, mem.get(JAVA_LONG, at) | 1L << i);
    }

    static void clearBit(MemorySegment mem, long bits, int i) {
        long at = bits + 8L * (i >>> 6);
        mem.set(JAVA_LONG, at, mem.get(JAVA_LONG, at) & ~(1L << i));
    }

    // ---------------------------------------------------------------- published counts

    /** Adds to a {@code long} count with release, so other threads read a recent value with acquire. */
    static void add(MemorySegment mem, long at, long delta) {
        LV.setRelease(mem, at, mem.get(JAVA_LONG, at) + delta);
    }

    /** Adds to an {@code int} count with release. */
    static void addInt(MemorySegment mem, long at, int delta) {
        IV.setRelease(mem, at, (int) IV.get(mem, at) + delta);
    }

    /** Reads a {@code long} count with acquire; any thread. */
    static long read(MemorySegment mem, long at) {
        return (long) LV.getAcquire(mem, at);
    }

    /** Reads an {@code int} count with acquire; any thread. */
    static int readInt(MemorySegment mem, long at) {
        return (int) IV.getAcquire(mem, at);
    }
}
