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
    /** The protocol of each of a pair's three port spaces, in the allocator's order. */
    private static final int[] PROTOCOLS = {PortAllocator.TCP, PortAllocator.UDP, PortAllocator.ICMP};
    private final MemorySegment mem;
    private final int capacity;
    /** Pairs per address group, to find a pair's address. */
    private final int m;
    private final int addresses;
    private final long heldBitsAt;
    private final long heldByAt;
    private final long indexAt;
    private final long dueAt;
    private final long refcountAt;
    private final long reservedBitsAt;

    HoldDown(MemorySegment mem, long[] at, int capacity, int owned, int addresses) {
        this.mem = mem;
        this.capacity = capacity;
        this.m = owned;
        this.addresses = addresses;
        this.heldBitsAt = at[AT_HELD_BITS];
        this.heldByAt = at[AT_HELD_BY_ADDRESS];
        this.indexAt = at[AT_HOLD_INDEX];
        this.dueAt = at[AT_HOLD_DUE];
        this.refcountAt = at[AT_REFCOUNT];
        this.reservedBitsAt = at[AT_RESERVED_BITS];
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

    /**
     * Lists the pairs a restart must not hand out at once: those in the ring, with their due times, then those in
     * use (refcount above 0) and not reserved, due at {@code dueInUse}. Control plane, only while no worker runs the
     * allocator.
     *
     * @param dueInUse the due time given to pairs in use: a full hold-down from now
     * @param localPort the port of each local index
     * @param addrs the pool's addresses
     * @param out receives the pairs
     */
    void visitRecent(long dueInUse, char[] localPort, int[] addrs, RecentPair out) {
        int head = mem.get(JAVA_INT, A_HOLD_HEAD);
        int size = mem.get(JAVA_INT, A_HOLD_SIZE);
        for (int k = 0; k < size; k++) {
            int at = head + k >= capacity ? head + k - capacity : head + k;
            report(i32(mem, indexAt, at), i64(mem, dueAt, at), localPort, addrs, out);
        }
        long pairs = 3L * addresses * m;
        for (int idx = 0; idx < pairs; idx++) {
            if (u16(mem, refcountAt, idx) > 0 && !bit(mem, reservedBitsAt, idx)) {
                report(idx, dueInUse, localPort, addrs, out);
            }
        }
    }

    private void report(int idx, long due, char[] localPort, int[] addrs, RecentPair out) {
        int g = idx / m;
        out.pair(PROTOCOLS[g / addresses], addrs[g % addresses], localPort[idx - g * m], due);
    }

    /** {@return the held pairs of one address, over the three protocols; any thread} */
    int heldOf(int addrIndex) {
        return readInt(mem, heldByAt + 4L * addrIndex);
    }
}
