package dev.natgw.nat.fastpath;

import static dev.natgw.nat.handover.SessionLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * The per-inside-host counts of a {@link SessionTable}, for the pools' quotas and subscriber limits (ports per
 * protocol, sessions, and the bucket that paces new mappings): an open-addressing table of
 * {@code H_BYTES} records (linear probing, backward-shift deletion) in the table's {@code hosts} segment, its
 * count in the table header, so it is handed over with the table. Used by the table's one worker thread only;
 * allocation-free and lock-free.
 */
final class HostTable {
    private final MemorySegment hdr;
    private final MemorySegment hosts;
    private final int hostMask;
    private final int hostLimit;
    private final long seed;

    HostTable(MemorySegment hdr, MemorySegment hosts, int hostMask, int hostLimit, long seed) {
        this.hdr = hdr;
        this.hosts = hosts;
        this.hostMask = hostMask;
        this.hostLimit = hostLimit;
        this.seed = seed;
    }

    private static int protoIndex(int proto) {
        return switch (proto) {
            case 6 -> 0;
            case 17 -> 1;
            case 1 -> 2;
            default -> -1;
        };
    }

    /** The home slot of an inside address. */
    int home(int inAddr) {
        return (int) (SessionRecords.mix(seed ^ (inAddr & 0xffffffffL) ^ 0x5bd1e995L << 32) >>> 32) & hostMask;
    }

    /** Hosts the table accepts. */
    int capacity() {
        return hostLimit;
    }

    /** Hosts with a non-zero count. */
    int count() {
        return hdr.get(JAVA_INT, T_HOST_COUNT);
    }

    private long hostOff(int i) {
        return i * H_BYTES;
    }

    /** Reads the first word of an inside address's home slot, bringing the slot into the cache; decides nothing. */
    int peek(int inAddr) {
        return hosts.get(JAVA_INT, hostOff(home(inAddr)));
    }

    private boolean hostEmpty(int i) {
        long o = hostOff(i);
        return (hosts.get(JAVA_INT, o + 4) | hosts.get(JAVA_INT, o + 8) | hosts.get(JAVA_INT, o + 12)
                | hosts.get(JAVA_INT, o + H_SESSIONS)) == 0;
    }

    /** The slot holding {@code inAddr}, or -1; an empty slot ends the probe since deletion shifts back. */
    private int hostFind(int inAddr) {
        int i = home(inAddr);
        while (!hostEmpty(i)) {
            if (hosts.get(JAVA_INT, hostOff(i)) == inAddr) {
                return i;
            }
            i = (i + 1) & hostMask;
        }
        return -1;
    }

    /** Ports the inside host holds for the protocol (6, 17 or 1; 0 for any other). */
    int ports(int inAddr, int proto) {
        int p = protoIndex(proto);
        if (p < 0) {
            return 0;
        }
        int i = hostFind(inAddr);
        return i < 0 ? 0 : hosts.get(JAVA_INT, hostOff(i) + 4 + 4L * p);
    }

    /** Sessions the inside host holds on its pool mappings. */
    int sessions(int inAddr) {
        int i = hostFind(inAddr);
        return i < 0 ? 0 : hosts.get(JAVA_INT, hostOff(i) + H_SESSIONS);
    }

    /**
     * Adds {@code delta} to the sessions of a host that holds a port (so has a record), deleting the record when all
     * its counts reach 0.
     *
     * @throws IllegalStateException if the host has no record or the count would go negative (a bug in the caller)
     */
    void addSessions(int inAddr, int delta) {
        int i = hostFind(inAddr);
        if (i < 0) {
            throw new IllegalStateException("sessions of a host without ports");
        }
        long c = hostOff(i) + H_SESSIONS;
        int v = hosts.get(JAVA_INT, c) + delta;
        if (v < 0) {
            throw new IllegalStateException("host session count would go negative");
        }
        hosts.set(JAVA_INT, c, v);
        if (v == 0 && hostEmpty(i)) {
            hostDelete(i);
        }
    }

    /**
     * Whether the host may make a new mapping now under a bucket of one mapping per {@code interval} ns and
     * {@code burst} mappings deep (GCRA: the bucket's arrival time may run at most {@code burst * interval} ahead of
     * the clock). Reads only; {@link #mapped} takes the token once the mapping is made. A host without a record
     * has a full bucket.
     */
    boolean mayMap(int inAddr, long interval, long burst, long now) {
        int i = hostFind(inAddr);
        if (i < 0 || hosts.get(JAVA_INT, hostOff(i) + H_BUCKET_SET) == 0) {
            return true;
        }
        long at = hosts.get(JAVA_LONG, hostOff(i) + H_BUCKET_AT);
        long from = at - now > 0 ? at : now;
        return from + interval - now <= burst * interval;
    }

    /** Takes a token from the bucket of a host that now has a record; see {@link #mayMap}. */
    void mapped(int inAddr, long interval, long now) {
        int i = hostFind(inAddr);
        if (i < 0) {
            return;
        }
        long o = hostOff(i);
        long at = hosts.get(JAVA_LONG, o + H_BUCKET_AT);
        long from = hosts.get(JAVA_INT, o + H_BUCKET_SET) != 0 && at - now > 0 ? at : now;
        hosts.set(JAVA_LONG, o + H_BUCKET_AT, from + interval);
        hosts.set(JAVA_INT, o + H_BUCKET_SET, 1);
    }

    /**
     * Adds {@code delta} to the host's count for the protocol (6, 17 or 1), adding the host when new
     * and deleting it when all its counts reach 0.
     *
     * @return false when the host is new and the table already holds {@link #capacity()} hosts
     * @throws IllegalArgumentException for another protocol
     * @throws IllegalStateException if a count would go negative (a bug in the caller)
     */
    boolean add(int inAddr, int proto, int delta) {
        int p = protoIndex(proto);
        if (p < 0) {
            throw new IllegalArgumentException("no host counts for protocol " + proto);
        }
        int i = hostFind(inAddr);
        if (i >= 0) {
            long c = hostOff(i) + 4 + 4L * p;
            int v = hosts.get(JAVA_INT, c) + delta;
            if (v < 0) {
                throw new IllegalStateException("host count would go negative");
            }
            hosts.set(JAVA_INT, c, v);
            if (hostEmpty(i)) {
                hostDelete(i);
            }
            return true;
        }
        if (delta == 0) {
            return true;
        }
        if (delta < 0) {
            throw new IllegalStateException("host count would go negative");
        }
        if (hdr.get(JAVA_INT, T_HOST_COUNT) >= hostLimit) {
            return false;
        }
        i = home(inAddr);
        while (!hostEmpty(i)) {
            i = (i + 1) & hostMask;
        }
        hosts.set(JAVA_INT, hostOff(i), inAddr);
        hosts.set(JAVA_INT, hostOff(i) + 4 + 4L * p, delta);
        hdr.set(JAVA_INT, T_HOST_COUNT, hdr.get(JAVA_INT, T_HOST_COUNT) + 1);
        return true;
    }

    /** Backward-shift deletion: later entries of the run move into the hole unless that would put them before their home. */
    private void hostDelete(int hole) {
        int j = hole;
        while (true) {
            j = (j + 1) & hostMask;
            if (hostEmpty(j)) {
                break;
            }
            int k = home(hosts.get(JAVA_INT, hostOff(j)));
            // j may fill the hole unless its home lies cyclically in (hole, j]
            boolean stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
            if (!stays) {
                MemorySegment.copy(hosts, hostOff(j), hosts, hostOff(hole), H_BYTES);
                hole = j;
            }
        }
        for (long o = hostOff(hole), end = o + H_BYTES; o < end; o += 8) {
            hosts.set(JAVA_LONG, o, 0L);
        }
        hdr.set(JAVA_INT, T_HOST_COUNT, hdr.get(JAVA_INT, T_HOST_COUNT) - 1);
    }
}
