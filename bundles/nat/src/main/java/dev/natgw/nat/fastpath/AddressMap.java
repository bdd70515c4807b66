package dev.natgw.nat.fastpath;

import java.util.Arrays;

/**
 * The outside addresses of all pools and static mappings: address to (pool slot, address index below 65536), an immutable
 * open-addressing table built on a control thread and read by workers. Allocation-free lookups.
 */
public final class AddressMap {
    private final int[] keys;
    private final int[] values;
    private final boolean[] used;
    private final int mask;

    /**
     * Builds the map.
     *
     * @param pools the pools whose addresses it holds, by slot, nulls allowed
     * @param statics the static mappings, whose global addresses it holds under
     *     {@link NatSnapshot#STATIC_SLOT} unless a pool has them
     */
    public AddressMap(PoolRuntime[] pools, StaticTable statics) {
        int n = statics.size();
        for (PoolRuntime p : pools) {
            if (p != null) {
                n += p.addresses().length;
            }
        }
        int size = Integer.highestOneBit(Math.max(4, n * 2) - 1) << 1;
        mask = size - 1;
        keys = new int[size];
        values = new int[size];
        used = new boolean[size];
        Arrays.fill(values, -1);
        for (PoolRuntime p : pools) {
            if (p == null) {
                continue;
            }
            int[] addrs = p.addresses();
            for (int a = 0; a < addrs.length; a++) {
                put(addrs[a], p.slot() << 16 | a);
            }
        }
        for (int k = 0; k < statics.size(); k++) {
            put(statics.globalAddr(k), NatSnapshot.STATIC_SLOT << 16);
        }
    }

    private void put(int addr, int value) {
        int i = mix(addr) & mask;
        while (used[i]) {
            if (keys[i] == addr) {
                return; // first owner wins: an address of a pool that is also a static global stays the pool's
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = addr;
        values[i] = value;
    }

    /**
     * Finds an address.
     *
     * @param addr the address
     * @return {@code slot << 16 | addressIndex} (never negative), or -1 if no pool or static mapping has it
     */
    public int find(int addr) {
        int i = mix(addr) & mask;
        while (used[i]) {
            if (keys[i] == addr) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    private static int mix(int x) {
        x ^= x >>> 16;
        x *= 0x85ebca6b;
        x ^= x >>> 13;
        return x;
    }
}
