package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.AllocatorMemory.*;
import static dev.natgw.nat.handover.AllocatorLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;

import dev.natgw.nat.handover.AllocatorLayout;
import java.lang.foreign.MemorySegment;

/**
 * The free ports of a {@link PortAllocator}: per address group (protocol and address) and Toeplitz bucket, a stack
 * of free owned ports, its height, a bitmap of the non-empty buckets and the free pairs per group, all in the
 * allocator's memory. Finds a bucket whose ports bring the return traffic to this worker (see the allocator's
 * class comment for the XOR permutation), or any non-empty one, and pushes and pops ports.
 *
 * <p>
 * Invariants: used by the allocator's one worker thread only; allocation-free and lock-free after construction; a
 * port is on its bucket's stack exactly when it is free, and a bucket's bit is set exactly when its stack is not
 * empty. The free totals ({@link AllocatorLayout}'s free count and the per-group counts) are written with release
 * and may be read from any thread.
 */
final class FreeStacks {
    private final MemorySegment mem;
    private final PortOwnership own;
    /** Owned ports of the worker (local indexes 0..m-1). */
    private final int m;
    private final int retaSize;
    /** Bitmap words per group: ceil(retaSize / 64), a power of two. */
    private final int words;
    private final char[] localPort;
    private final int[] bucketStart;
    /** Bit r set iff RETA entry r's queue is polled by this worker. */
    private final long[] ownerMask;
    private final long stackAt;
    private final long freeCountAt;
    private final long freeByAt;
    private final long nonEmptyAt;

    FreeStacks(MemorySegment mem, long[] at, PortOwnership own, char[] localPort, int[] bucketStart,
            int[] retaEntries) {
        this.mem = mem;
        this.own = own;
        this.m = localPort.length;
        this.retaSize = bucketStart.length - 1;
        this.words = (retaSize + 63) >>> 6;
        this.localPort = localPort;
        this.bucketStart = bucketStart;
        this.ownerMask = new long[words];
        for (int r : retaEntries) {
            ownerMask[r >>> 6] |= 1L << r;
        }
        this.stackAt = at[AT_STACK];
        this.freeCountAt = at[AT_FREE_COUNT];
        this.freeByAt = at[AT_FREE_BY_GROUP];
        this.nonEmptyAt = at[AT_NON_EMPTY];
    }

    /** Puts every owned port of every group on its stack: the state of new memory. */
    void fill(int groups) {
        for (int g = 0; g < groups; g++) {
            i32(mem, freeByAt, g, m);
            MemorySegment.copy(localPort, 0, mem, JAVA_CHAR, stackAt + 2L * g * m, m);
            for (int b = 0; b < retaSize; b++) {
                int size = bucketStart[b + 1] - bucketStart[b];
                i32(mem, freeCountAt, g * retaSize + b, size);
                if (size > 0) {
                    setNonEmpty(g, b);
                }
            }
        }
        i64(mem, A_FREE, 0, (long) groups * m);
    }

    /** {@return the bytes of the heap arrays this object adds} */
    long heapBytes() {
        return 8L * ownerMask.length;
    }

    /** {@return the free ports of one group's bucket} */
    int freeIn(int g, int b) {
        return i32(mem, freeCountAt, g * retaSize + b);
    }

    /** {@return the free pairs of one group; any thread} */
    int freeOf(int g) {
        return readInt(mem, freeByAt + 4L * g);
    }

    /** A non-empty bucket among (c ^ r) for this worker's RETA entries r, or -1. */
    int findAffine(int g, int c, int rot) {
        int chi = c >>> 6;
        int clo = c & 63;
        int base = g * words;
        int start = (rot >>> 6) & (words - 1);
        for (int k = 0; k < words; k++) {
            int wi = (start + k) & (words - 1);
            // word wi holds buckets b = 64 wi + j; b ^ c is RETA entry 64 (wi ^ chi) + (j ^ clo)
            long acceptable = xorPermute(ownerMask[wi ^ chi], clo) & i64(mem, nonEmptyAt, base + wi);
            if (acceptable != 0) {
                return wi << 6 | pickBit(acceptable, rot);
            }
        }
        return -1;
    }

    /** Any non-empty bucket, or -1. */
    int findAny(int g, int rot) {
        int base = g * words;
        int start = (rot >>> 6) & (words - 1);
        for (int k = 0; k < words; k++) {
            int wi = (start + k) & (words - 1);
            long bits = i64(mem, nonEmptyAt, base + wi);
            if (bits != 0) {
                return wi << 6 | pickBit(bits, rot);
            }
        }
        return -1;
    }

    /** A set bit of a non-zero word, the first at or after a rotating offset. */
    private static int pickBit(long bits, int rot) {
        int off = rot & 63;
        return (Long.numberOfTrailingZeros(Long.rotateRight(bits, off)) + off) & 63;
    }

    /** Returns y with bit j of y = bit (j ^ s) of x, s in 0..63: one swap stage per bit of s. */
    static long xorPermute(long x, int s) {
        if ((s & 1) != 0) {
            x = (x & 0x5555555555555555L) << 1 | (x >>> 1 & 0x5555555555555555L);
        }
        if ((s & 2) != 0) {
            x = (x & 0x3333333333333333L) << 2 | (x >>> 2 & 0x3333333333333333L);
        }
        if ((s & 4) != 0) {
            x = (x & 0x0F0F0F0F0F0F0F0FL) << 4 | (x >>> 4 & 0x0F0F0F0F0F0F0F0FL);
        }
        if ((s & 8) != 0) {
            x = (x & 0x00FF00FF00FF00FFL) << 8 | (x >>> 8 & 0x00FF00FF00FF00FFL);
        }
        if ((s & 16) != 0) {
            x = (x & 0x0000FFFF0000FFFFL) << 16 | (x >>> 16 & 0x0000FFFF0000FFFFL);
        }
        if ((s & 32) != 0) {
            x = x << 32 | x >>> 32;
        }
        return x;
    }

    /**
     * Takes the top entry of a non-empty bucket's stack off it without reading it, so that a burst can take the
     * entries of all its new flows first and read them (cache misses each) in a loop that only loads. The entry
     * holds its port until the next {@link #push} on the same bucket.
     *
     * @return the entry's index in the stacks, for {@link #portAt}
     */
    int popSlot(int g, int b) {
        int fi = g * retaSize + b;
        int count = i32(mem, freeCountAt, fi) - 1;
        i32(mem, freeCountAt, fi, count);
        if (count == 0) {
            clearNonEmpty(g, b);
        }
        countFree(g, -1);
        return g * m + bucketStart[b] + count;
    }

    /** {@return the port of a stack entry {@link #popSlot} took} */
    int portAt(int slot) {
        return u16(mem, stackAt, slot);
    }

    /** Puts a free owned port on its bucket's stack. */
    void push(int g, int port) {
        int b = own.bucket(port);
        int fi = g * retaSize + b;
        int count = i32(mem, freeCountAt, fi);
        u16(mem, stackAt, g * m + bucketStart[b] + count, port);
        i32(mem, freeCountAt, fi, count + 1);
        if (count == 0) {
            setNonEmpty(g, b);
        }
        countFree(g, 1);
    }

    /**
     * Takes a free port off its stack, wherever it is in it: O(bucket size), control rate.
     *
     * @throws IllegalStateException if the port is not on its stack (the allocator's state is corrupt)
     */
    void remove(int g, int port) {
        int b = own.bucket(port);
        int fi = g * retaSize + b;
        int count = i32(mem, freeCountAt, fi);
        int base = g * m + bucketStart[b];
        for (int k = 0; k < count; k++) {
            if (u16(mem, stackAt, base + k) == port) {
                u16(mem, stackAt, base + k, u16(mem, stackAt, base + count - 1));
                i32(mem, freeCountAt, fi, count - 1);
                if (count == 1) {
                    clearNonEmpty(g, b);
                }
                countFree(g, -1);
                return;
            }
        }
        throw new IllegalStateException("free port " + port + " is missing from its stack");
    }

    private void setNonEmpty(int g, int b) {
        int wi = g * words + (b >>> 6);
        i64(mem, nonEmptyAt, wi, i64(mem, nonEmptyAt, wi) | 1L << b);
    }

    private void clearNonEmpty(int g, int b) {
        int wi = g * words + (b >>> 6);
        i64(mem, nonEmptyAt, wi, i64(mem, nonEmptyAt, wi) & ~(1L << b));
    }

    private void countFree(int g, int delta) {
        add(mem, A_FREE, delta);
        addInt(mem, freeByAt + 4L * g, delta);
    }
}
