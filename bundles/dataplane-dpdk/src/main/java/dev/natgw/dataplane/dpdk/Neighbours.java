package dev.natgw.dataplane.dpdk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;

/**
 * The bounded neighbour (ARP) table of one port: IPv4 address to MAC address, shared by all workers
 * without a lock. Open addressing with a bounded probe of {@value #PROBE} slots from a home slot that a
 * random per-table seed decides, so nobody outside can aim addresses at one probe window; a key slot is
 * claimed by compare-and-set, so two workers never write one slot at once; lookups read every probed
 * slot, so a removed entry never hides another. An entry whose MAC is 0 is incomplete: a request is out.
 * When all probed slots are taken the address is not stored and the caller is told.
 *
 * <p>
 * What the network may change (RFC 826 with the usual hardening against ARP poisoning): a reply is taken
 * only while natgw's own request for that address is out ({@link #answer}); a request addressed to natgw
 * adds its sender when the table does not know it yet ({@link #announce}); neither ever changes the MAC of
 * a complete entry, whatever it claims, and a pinned entry ({@link #pin}, a gateway MAC from the
 * configuration) never changes and never expires. A packet that repeats the known MAC confirms the entry.
 * A neighbour whose MAC really changed is learnt when natgw asks again, before the entry times out.
 */
final class Neighbours {
    static final int PROBE = 8;
    /** How long after natgw's request a reply is taken, ms. */
    static final long ANSWER_MILLIS = 3000;
    /** {@link #answer} and {@link #announce}: the table holds the sender's MAC now. */
    static final int LEARNED = 0;
    /** {@link #announce}: no room for a new neighbour. */
    static final int FULL = 1;
    /** {@link #answer} and {@link #announce}: refused, the packet asked to change or add what it may not. */
    static final int REFUSED = 2;

    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int mask;
    private final int seed;
    private final int[] keys;
    private final long[] macs;
    private final long[] stamps;
    /** When natgw last asked for the slot's address, ms; 0 when no request is out. */
    private final long[] asked;
    /** Written before the workers start (the engine pins at construction), read by them after. */
    private final boolean[] pinned;

    /**
     * @param capacity the most entries, rounded up to a power of two, at least 16
     */
    Neighbours(int capacity) {
        this(capacity, new SecureRandom().nextInt());
    }

    /**
     * @param capacity the most entries, rounded up to a power of two, at least 16
     * @param seed decides where each address's probe window starts
     */
    Neighbours(int capacity, int seed) {
        int size = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
        if (size < capacity) {
            size <<= 1;
        }
        this.mask = size - 1;
        this.seed = seed;
        this.keys = new int[size];
        this.macs = new long[size];
        this.stamps = new long[size];
        this.asked = new long[size];
        this.pinned = new boolean[size];
    }

    int capacity() {
        return keys.length;
    }

    /** {@return the first slot of ip's probe window} */
    int home(int ip) {
        int h = (ip ^ seed) * 0x9E3779B1;
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
     * Stores or refreshes ip's MAC from a trusted source (the previous revision's table, a test); a pinned
     * entry keeps its MAC.
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
        if (!pinned[slot]) {
            set(slot, mac, nowMillis);
        }
        return true;
    }

    /**
     * Pins ip to mac: the entry never changes and never expires. Before the workers start only.
     *
     * @throws IllegalStateException if the table has no room for it
     */
    void pin(int ip, long mac) {
        int slot = slotFor(ip);
        if (slot < 0) {
            throw new IllegalStateException("no room to pin a neighbour");
        }
        set(slot, mac, 0);
        pinned[slot] = true;
    }

    /**
     * Offers an ARP reply: taken while natgw's request for ip is out, or when it repeats the known MAC.
     *
     * @return {@link #LEARNED} or {@link #REFUSED}
     */
    int answer(int ip, long mac, long nowMillis) {
        int slot = find(ip);
        if (slot < 0 || mac == 0) {
            return REFUSED;
        }
        long known = (long) LONGS.getAcquire(macs, slot);
        if (known == mac) {
            confirm(slot, nowMillis);
            return LEARNED;
        }
        long a = (long) LONGS.getAcquire(asked, slot);
        if (pinned[slot] || a == 0 || nowMillis - a > ANSWER_MILLIS) {
            return REFUSED;
        }
        set(slot, mac, nowMillis);
        return LEARNED;
    }

    /**
     * Offers the sender of an ARP request addressed to natgw: added when the table does not know ip, taken
     * when natgw's own request for it is out (incomplete), a confirmation when it repeats the known MAC.
     *
     * @return {@link #LEARNED}, {@link #FULL} or {@link #REFUSED}
     */
    int announce(int ip, long mac, long nowMillis) {
        if (mac == 0) {
            return REFUSED;
        }
        int slot = slotFor(ip);
        if (slot < 0) {
            return FULL;
        }
        long known = (long) LONGS.getAcquire(macs, slot);
        if (known == mac) {
            confirm(slot, nowMillis);
            return LEARNED;
        }
        if (known != 0 || pinned[slot]) {
            return REFUSED;
        }
        set(slot, mac, nowMillis);
        return LEARNED;
    }

    /** Records that natgw sends a request for ip now, making an incomplete entry if there is none. */
    void asking(int ip, long nowMillis) {
        int slot = slotFor(ip);
        if (slot < 0 || pinned[slot]) {
            return;
        }
        if ((long) LONGS.getAcquire(macs, slot) == 0) {
            LONGS.setRelease(stamps, slot, nowMillis);
        }
        LONGS.setRelease(asked, slot, nowMillis);
    }

    private void set(int slot, long mac, long nowMillis) {
        LONGS.setRelease(macs, slot, mac);
        LONGS.setRelease(stamps, slot, nowMillis);
        LONGS.setRelease(asked, slot, 0L);
    }

    private void confirm(int slot, long nowMillis) {
        if (!pinned[slot]) {
            LONGS.setRelease(stamps, slot, nowMillis);
            LONGS.setRelease(asked, slot, 0L);
        }
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
        if (!LONGS.compareAndSet(stamps, slot, last, nowMillis == 0 ? 1 : nowMillis)) {
            return false;
        }
        LONGS.setRelease(asked, slot, nowMillis == 0 ? 1 : nowMillis);
        return true;
    }

    /** {@return ip's slot, or -1 when the table does not hold it} */
    private int find(int ip) {
        if (ip == 0) {
            return -1;
        }
        int h = home(ip);
        for (int p = 0; p < PROBE; p++) {
            int idx = (h + p) & mask;
            if ((int) INTS.getAcquire(keys, idx) == ip) {
                return idx;
            }
        }
        return -1;
    }

    /** Finds ip's slot or claims a free one for it; -1 when the probe is full. */
    private int slotFor(int ip) {
        int found = find(ip);
        if (found >= 0) {
            return found;
        }
        int h = home(ip);
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
            if (pinned[idx]) {
                left++;
                continue;
            }
            long mac = (long) LONGS.getAcquire(macs, idx);
            long age = nowMillis - (long) LONGS.getAcquire(stamps, idx);
            if (age > (mac == 0 ? incompleteMillis : maxAgeMillis)) {
                LONGS.setRelease(macs, idx, 0L);
                LONGS.setRelease(stamps, idx, 0L);
                LONGS.setRelease(asked, idx, 0L);
                INTS.setRelease(keys, idx, 0);
            } else {
                left++;
            }
        }
        return left;
    }

    /** Visits the entries, incomplete ones with MAC 0: ip, mac, age (0 when pinned), pinned. Control thread only. */
    void forEach(long nowMillis, EntryVisitor v) {
        for (int idx = 0; idx < keys.length; idx++) {
            int ip = (int) INTS.getAcquire(keys, idx);
            long mac = (long) LONGS.getAcquire(macs, idx);
            if (ip != 0) {
                v.visit(ip, mac, pinned[idx] ? 0 : nowMillis - (long) LONGS.getAcquire(stamps, idx), pinned[idx]);
            }
        }
    }

    interface EntryVisitor {
        void visit(int ip, long mac, long ageMillis, boolean pinned);
    }
}
