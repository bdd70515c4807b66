package dev.natgw.dataplane.dpdk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The bounded neighbour (ARP) table of one port: IPv4 address to MAC address, shared by all workers
 * without a lock. Open addressing with a bounded probe of {@value #PROBE} slots; a key slot is claimed
 * by compare-and-set, so two workers never write one slot at once; lookups read every probed slot, so
 * a removed entry never hides another. An entry whose MAC is 0 is incomplete: a request is out. When
 * all probed slots are taken the address is not stored and {@link #learn} reports it.
 */
final class Neighbours {
    static final int PROBE = 8;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int mask;
    private final int[] keys;
    private final long[] macs;
    private final long[] stamps;

    /**
     * @param capacity the most entries, rounded up to a power of two, at least 16
     */
    Neighbours(int capacity) {
        int size = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
        if (size < capacity) {
            size <<= 1;
        }
        this.mask = size - 1;
        this.keys = new int[size];
        this.macs = new long[size];
        this.stamps = new long[size];
    }

    int capacity() {
        return keys.length;
    }

    private int home(int ip) {
        int h = ip * 0x9E3779B1;
        return (h ^ (h >>> 16)) & mask;
    }

    /** {@return the MAC of ip, 0 if unknown or incomplete} Allocation-free. */
    long lookup(int ip) {
        int h = home(ip);
        for (int p = 0; p < PROBE; p++) {
            int idx = (h + p) & mask;
            if ((int) INTS.getAcquire(keys, idx) == ip) {
                long mac = (long) LONGS.getAcquire(macs, idx);
                if (mac != 0) {
                    return mac;
                }
            }
        }
        return 0;
    }

    /**
     * Stores or refreshes ip's MAC.
     *
     * @return false if the table had no room for it
     */
    boolean learn(int ip, long mac, long nowMillis) {
        if (ip == 0) {
            return true;
        }
        int slot = slotFor(ip);
        if (slot < 0) {
            return false;
        }
        LONGS.setRelease(macs, slot, mac);
        LONGS.setRelease(stamps, slot, nowMillis);
        return true;
    }

    /**
     * Tells whether to send an ARP request for ip now: yes if no request went out in the last
     * {@code retryMillis}; records the request as an incomplete entry.
     */
    boolean shouldRequest(int ip, long nowMillis, long retryMillis) {
        int slot = slotFor(ip);
        if (slot < 0) {
            return false;
        }
        long last = (long) LONGS.getAcquire(stamps, slot);
        if ((long) LONGS.getAcquire(macs, slot) != 0 || (last != 0 && nowMillis - last < retryMillis)) {
            return false;
        }
        return LONGS.compareAndSet(stamps, slot, last, nowMillis == 0 ? 1 : nowMillis);
    }

    /** Finds ip's slot or claims a free one for it; -1 when the probe is full. */
    private int slotFor(int ip) {
        int h = home(ip);
        for (int p = 0; p < PROBE; p++) {
            int idx = (h + p) & mask;
            if ((int) INTS.getAcquire(keys, idx) == ip) {
                return idx;
            }
        }
        for (int p = 0; p < PROBE; p++) {
            int idx = (h + p) & mask;
            if ((int) INTS.getAcquire(keys, idx) == 0) {
                if (INTS.compareAndSet(keys, idx, 0, ip)) {
                    return idx;
                }
                if ((int) INTS.getAcquire(keys, idx) == ip) {
                    return idx;
                }
            }
        }
        return -1;
    }

    /**
     * Removes entries confirmed longer ago than maxAgeMillis and incomplete ones older than
     * incompleteMillis. Control thread only.
     *
     * @return entries left
     */
    int expire(long nowMillis, long maxAgeMillis, long incompleteMillis) {
        int left = 0;
        for (int idx = 0; idx < keys.length; idx++) {
            if ((int) INTS.getAcquire(keys, idx) == 0) {
                continue;
            }
            long mac = (long) LONGS.getAcquire(macs, idx);
            long age = nowMillis - (long) LONGS.getAcquire(stamps, idx);
            if (age > (mac == 0 ? incompleteMillis : maxAgeMillis)) {
                LONGS.setRelease(macs, idx, 0L);
                LONGS.setRelease(stamps, idx, 0L);
                INTS.setRelease(keys, idx, 0);
            } else {
                left++;
            }
        }
        return left;
    }

    /** Visits complete entries: ip, mac, age. Control thread only. */
    void forEach(long nowMillis, EntryVisitor v) {
        for (int idx = 0; idx < keys.length; idx++) {
            int ip = (int) INTS.getAcquire(keys, idx);
            long mac = (long) LONGS.getAcquire(macs, idx);
            if (ip != 0) {
                v.visit(ip, mac, nowMillis - (long) LONGS.getAcquire(stamps, idx));
            }
        }
    }

    interface EntryVisitor {
        void visit(int ip, long mac, long ageMillis);
    }
}
