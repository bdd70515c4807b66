package dev.natgw.nat.fastpath;

import dev.natgw.api.nat.StaticMapping;
import java.util.List;

/**
 * The static mappings (port forwards) as an immutable open-addressing table, looked up by global endpoint
 * and by inside endpoint. Built on a control thread and published with the configuration snapshot; workers
 * only read it. Allocation-free lookups.
 */
public final class StaticTable {
    /** A table with no mappings. */
    public static final StaticTable EMPTY = new StaticTable(List.of());

    private final long[] byGlobalKeys;
    private final int[] byGlobalIndex;
    private final long[] byInsideKeys;
    private final int[] byInsideIndex;
    private final int mask;
    private final int[] proto;
    private final int[] globalAddr;
    private final int[] globalPort;
    private final int[] insideAddr;
    private final int[] insidePort;

    /**
     * Builds the table.
     *
     * @param mappings the static mappings, no two sharing a global or an inside endpoint per protocol
     */
    public StaticTable(List<StaticMapping> mappings) {
        int n = mappings.size();
        int size = Integer.highestOneBit(Math.max(4, n * 2) - 1) << 1;
        mask = size - 1;
        byGlobalKeys = new long[size];
        byGlobalIndex = new int[size];
        byInsideKeys = new long[size];
        byInsideIndex = new int[size];
        java.util.Arrays.fill(byGlobalIndex, -1);
        java.util.Arrays.fill(byInsideIndex, -1);
        proto = new int[n];
        globalAddr = new int[n];
        globalPort = new int[n];
        insideAddr = new int[n];
        insidePort = new int[n];
        for (int i = 0; i < n; i++) {
            StaticMapping m = mappings.get(i);
            proto[i] = m.protocol().number();
            globalAddr[i] = m.global().address();
            globalPort[i] = m.global().port();
            insideAddr[i] = m.inside().address();
            insidePort[i] = m.inside().port();
            put(byGlobalKeys, byGlobalIndex, key(proto[i], globalAddr[i], globalPort[i]), i);
            put(byInsideKeys, byInsideIndex, key(proto[i], insideAddr[i], insidePort[i]), i);
        }
    }

    /** {@return the number of mappings} */
    public int size() {
        return proto.length;
    }

    /**
     * Finds the mapping of a global endpoint.
     *
     * @param protocol the IP protocol number
     * @param addr the global address
     * @param port the global port
     * @return the mapping's index, or -1
     */
    public int findGlobal(int protocol, int addr, int port) {
        return find(byGlobalKeys, byGlobalIndex, key(protocol, addr, port));
    }

    /**
     * Finds the mapping of an inside endpoint.
     *
     * @param protocol the IP protocol number
     * @param addr the inside address
     * @param port the inside port
     * @return the mapping's index, or -1
     */
    public int findInside(int protocol, int addr, int port) {
        return find(byInsideKeys, byInsideIndex, key(protocol, addr, port));
    }

    public int proto(int i) {
        return proto[i];
    }

    public int globalAddr(int i) {
        return globalAddr[i];
    }

    public int globalPort(int i) {
        return globalPort[i];
    }

    public int insideAddr(int i) {
        return insideAddr[i];
    }

    public int insidePort(int i) {
        return insidePort[i];
    }

    private static long key(int protocol, int addr, int port) {
        // key 0 marks an empty slot; protocol is never 0 for a mapping, so no real key is 0
        return (long) protocol << 48 | (long) port << 32 | (addr & 0xffffffffL);
    }

    private static int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    private void put(long[] keys, int[] index, long key, int value) {
        int i = slot(key) & mask;
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        index[i] = value;
    }

    private int find(long[] keys, int[] index, long key) {
        int i = slot(key) & mask;
        while (true) {
            long k = keys[i];
            if (k == key) {
                return index[i];
            }
            if (k == 0) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }
}
