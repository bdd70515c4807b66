package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.AllocatorMemory.*;
import static dev.natgw.nat.handover.AllocatorLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * The hold-down of a {@link PortAllocator}: a FIFO ring of the pairs whose last user left, with the time each may
 * return to service, in the allocator's memory (head and size in the header), plus the held bit of each pair and
 * the held counts (in total and per address). Pairs enter in release order and the hold-down time is the same
 * for all, so the FIFO is ordered by due time and only its head is ever due.
 *
 * <p>
 * Invariants: used by the allocator's one worker thread only; allocation-free and lock-free after construction; a
 * pair's held bit is set exactly while it is in the ring. The held counts are written with release and may be
 * read from any thread.
 */
final class HoldDown {
    private final MemorySegment mem;
    private final int capacity;
    /** Pairs per address group, to find a pair's address. */
    private final int m;
    private final int addresses;
    private final long heldBitsAt;
    private final long heldByAt;
    private final long indexAt;
    private final long dueAt;

    HoldDown(MemorySegment mem, long[] at, int capacity, int owned, int addresses) {
        this.mem = mem;
        this.capacity = capacity;
        this.m = owned;
        this.addresses = addresses;
        this.heldBitsAt = at[AT_HELD_BITS];
        this.heldByAt = at[AT_HELD_BY_ADDRESS];
        this.indexAt = at[AT_HOLD_INDEX];
        this.dueAt = at[AT_HOLD_DUE];
    }

    /** {@return whether the pair is held down} */
    boolean isHeld(int idx) {
        return bit(mem, heldBitsAt, idx);
    }

    /**
     * Makes room for one more pair: when the ring is full its oldest pair leaves early (counted as cut short).
     *
     * @return the pair that left, for the caller to free, or -1
     */
    int cutIfFull() {
        if (mem.get(JAVA_INT, A_HOLD_SIZE) != capacity) {
            return -1;
        }
        int idx = takeHead();
        add(mem, A_CUT, 1);
        return idx;
    }

    /** Appends a pair due at {@code due}; the ring has room ({@link #cutIfFull}). */
    void hold(int idx, long due) {
        int size = mem.get(JAVA_INT, A_HOLD_SIZE);
        int tail = mem.get(JAVA_INT, A_HOLD_HEAD) + size;
        if (tail >= capacity) {
            tail -= capacity;
        }
        i32(mem, indexAt, tail, idx);
        i64(mem, dueAt, tail, due);
        mem.set(JAVA_INT, A_HOLD_SIZE, size + 1);
        setBit(mem, heldBitsAt, idx);
        countHeld(idx, 1);
    }

    /**
     * Takes the oldest pair if its hold-down has ended.
     *
     * @param now the time, {@link System#nanoTime()}
     * @return the pair, for the caller to free, or -1
     */
    int pollDue(long now) {
        if (mem.get(JAVA_INT, A_HOLD_SIZE) == 0 || i64(mem, dueAt, mem.get(JAVA_INT, A_HOLD_HEAD)) - now > 0) {
            return -1;
        }
        return takeHead();
    }

    private int takeHead() {
        int head = mem.get(JAVA_INT, A_HOLD_HEAD);
        int idx = i32(mem, indexAt, head);
        mem.set(JAVA_INT, A_HOLD_HEAD, head + 1 == capacity ? 0 : head + 1);
        mem.set(JAVA_INT, A_HOLD_SIZE, mem.get(JAVA_INT, A_HOLD_SIZE) - 1);
        clearBit(mem, heldBitsAt, idx);
        countHeld(idx, -1);
        return idx;
    }

    private void countHeld(int idx, int delta) {
        addInt(mem, heldByAt + 4L * (idx / m % addresses), delta);
        add(mem, A_HELD, delta);
    }

    /** {@return the held pairs of one address, over the three protocols; any thread} */
    int heldOf(int addrIndex) {
        return readInt(mem, heldByAt + 4L * addrIndex);
    }
}
