package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.AllocatorMemory.*;
import static dev.natgw.nat.handover.AllocatorLayout.*;

import java.lang.foreign.MemorySegment;

/**
 * The search for a port to share under address-and-port-dependent mapping ({@link PortAllocator#allocateShared}):
 * walks the in-use, unreserved, not saturated ports of one address group in the buckets that bring a remote's
 * return traffic to this worker, with a cursor so that attempt k + 1 of the same flow continues where attempt k
 * stopped, and at most {@link PortAllocator#SHARED_PROBE_LIMIT} slots per call.
 *
 * <p>
 * Invariants: used by the allocator's one worker thread only; allocation-free and lock-free; reads the
 * allocator's refcounts and reserved bits, writes nothing of its memory. The cursor is a hint on the heap, not
 * handed over: any mismatch with a call starts a new scan.
 */
final class SharedScan {
    private final MemorySegment mem;
    private final FreeStacks stacks;
    private final int m;
    private final int retaSize;
    private final int mask;
    private final char[] localPort;
    private final int[] bucketStart;
    private final int[] retaEntries;
    private final long refcountAt;
    private final long reservedBitsAt;

    private int group = -1;
    private int hash;
    private int next;
    private int entry;
    private int local;

    SharedScan(MemorySegment mem, long[] at, FreeStacks stacks, char[] localPort, int[] bucketStart,
            int[] retaEntries) {
        this.mem = mem;
        this.stacks = stacks;
        this.m = localPort.length;
        this.retaSize = bucketStart.length - 1;
        this.mask = retaSize - 1;
        this.localPort = localPort;
        this.bucketStart = bucketStart;
        this.retaEntries = retaEntries;
        this.refcountAt = at[AT_REFCOUNT];
        this.reservedBitsAt = at[AT_RESERVED_BITS];
    }

    /**
     * Returns the {@code attempt}-th candidate of a scan.
     *
     * @param g the address group
     * @param c the remote's hash masked to the RETA, ignored when {@code anyBucket}
     * @param anyBucket true for ICMP: every bucket, not only the affine ones
     * @param attempt 0, 1, 2, ...
     * @return the port, or -1 when there are no more candidates or the probe budget is spent
     */
    int find(int g, int c, boolean anyBucket, int attempt) {
        int skip = 0;
        if (attempt == 0 || attempt != next || g != group || c != hash) {
            // a new scan; a caller that jumps ahead skips candidates within the same probe budget
            group = g;
            hash = c;
            entry = 0;
            local = -1;
            skip = attempt;
        }
        next = -1;
        int buckets = anyBucket ? retaSize : retaEntries.length;
        int probes = 0;
        while (entry < buckets) {
            int b = anyBucket ? entry : (c ^ retaEntries[entry]) & mask;
            int to = bucketStart[b + 1];
            if (local < 0) {
                int from = bucketStart[b];
                if (stacks.freeIn(g, b) == to - from) {
                    // every port of the bucket is free: nothing to share
                    entry++;
                    if (++probes > PortAllocator.SHARED_PROBE_LIMIT) {
                        return -1;
                    }
                    continue;
                }
                local = from;
            }
            while (local < to) {
                if (++probes > PortAllocator.SHARED_PROBE_LIMIT) {
                    return -1;
                }
                int idx = g * m + local++;
                int rc = u16(mem, refcountAt, idx);
                if (rc != 0 && rc != PortAllocator.MAX_REFCOUNT && !bit(mem, reservedBitsAt, idx)) {
                    if (skip == 0) {
                        next = attempt + 1;
                        return localPort[local - 1];
                    }
                    skip--;
                }
            }
            entry++;
            local = -1;
        }
        return -1;
    }
}
