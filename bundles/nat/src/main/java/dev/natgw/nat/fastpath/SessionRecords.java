package dev.natgw.nat.fastpath;

import static dev.natgw.nat.handover.SessionLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.natgw.nat.handover.SessionLayout;
import java.lang.foreign.MemorySegment;

/**
 * Field access to the session and mapping records of a {@link SessionTable} at the offsets of
 * {@link SessionLayout}, and the hashing that places them in the table's chains. Static methods over the segment
 * the caller passes, so {@link SessionTable}, {@link MappingTable}, {@link TimerWheel} and {@link HostTable} read
 * the same records without a field of their own or an object between them and the memory: after inlining these
 * are the loads and stores the callers would write by hand. No state; any thread, but the records belong to the
 * table's one worker.
 */
final class SessionRecords {
    private SessionRecords() {
    }

    // ---------------------------------------------------------------- sessions

    static int si(MemorySegment sessions, int s, long f) {
        return sessions.get(JAVA_INT, s * S_BYTES + f);
    }

    static void si(MemorySegment sessions, int s, long f, int v) {
        sessions.set(JAVA_INT, s * S_BYTES + f, v);
    }

    static int sflags(MemorySegment sessions, int s) {
        return sessions.get(JAVA_BYTE, s * S_BYTES + S_FLAGS) & 0xff;
    }

    static void sflags(MemorySegment sessions, int s, int v) {
        sessions.set(JAVA_BYTE, s * S_BYTES + S_FLAGS, (byte) v);
    }

    // ---------------------------------------------------------------- mappings

    static int mi(MemorySegment maps, int m, long f) {
        return maps.get(JAVA_INT, m * M_BYTES + f);
    }

    static void mi(MemorySegment maps, int m, long f, int v) {
        maps.set(JAVA_INT, m * M_BYTES + f, v);
    }

    static int mu16(MemorySegment maps, int m, long f) {
        return maps.get(JAVA_CHAR, m * M_BYTES + f);
    }

    static int mu8(MemorySegment maps, int m, long f) {
        return maps.get(JAVA_BYTE, m * M_BYTES + f) & 0xff;
    }

    /** Whether mapping {@code m} has this inside key. */
    static boolean mappingInIs(MemorySegment maps, int m, int proto, int inAddr, int inPort) {
        return mi(maps, m, M_IN_ADDR) == inAddr && mu16(maps, m, M_IN_PORT) == inPort
                && mu8(maps, m, M_PROTO) == proto;
    }

    /** Whether mapping {@code m} has this outside key. */
    static boolean mappingOutIs(MemorySegment maps, int m, int proto, int outAddr, int outPort) {
        return mi(maps, m, M_OUT_ADDR) == outAddr && mu16(maps, m, M_OUT_PORT) == outPort
                && mu8(maps, m, M_PROTO) == proto;
    }

    // ---------------------------------------------------------------- hashing and chain heads

    /** Two multiply-xorshift rounds: every input bit reaches every output bit. */
    static long mix(long x) {
        x ^= x >>> 32;
        x *= 0xd6e8feb86659fd93L;
        x ^= x >>> 32;
        return x;
    }

    private static long endpointKey(int proto, int addr, int port) {
        return (addr & 0xffffffffL) << 24 | (long) port << 8 | proto;
    }

    /** The chain of a mapping key among {@code headMask + 1} heads. */
    static int mappingBucket(long seed, int headMask, int proto, int addr, int port) {
        return (int) mix(seed ^ endpointKey(proto, addr, port)) & headMask;
    }

    /** The chain of a session key (one side's endpoint and the remote one) among {@code headMask + 1} heads. */
    static int sessionBucket(long seed, int headMask, int proto, int addr, int port, int remAddr, int remPort) {
        long h = mix(seed ^ endpointKey(proto, addr, port));
        return (int) mix(h + ((remAddr & 0xffffffffL) << 16 | remPort)) & headMask;
    }

    static int head(MemorySegment heads, int b) {
        return heads.getAtIndex(JAVA_INT, b);
    }

    static void head(MemorySegment heads, int b, int v) {
        heads.setAtIndex(JAVA_INT, b, v);
    }

    /**
     * Takes record {@code i} out of the chain that starts at head {@code b}, the records {@code recordBytes} long
     * and linked through the {@code int} at offset {@code next}. O(chain length).
     *
     * @return false if {@code i} is not in the chain (the table is corrupt)
     */
    static boolean unlink(MemorySegment heads, int b, MemorySegment records, long recordBytes, int i, long next) {
        int after = records.get(JAVA_INT, i * recordBytes + next);
        int cur = head(heads, b);
        if (cur == i) {
            head(heads, b, after);
            return true;
        }
        while (cur != -1) {
            int n = records.get(JAVA_INT, cur * recordBytes + next);
            if (n == i) {
                records.set(JAVA_INT, cur * recordBytes + next, after);
                return true;
            }
            cur = n;
        }
        return false;
    }
}
