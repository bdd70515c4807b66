package dev.natgw.nat.fastpath;

/**
 * The outside addresses of all pools and static mappings: address to (pool slot, address index below 65536), an immutable
 * open-addressing table built on a control thread and read by workers. Allocation-free lookups.
 */
public final class AddressMap {
    // one long per slot, address in the high half and value + 1 in the low half, 0 for empty: a probe is one load
    // of one array, and at most a quarter of the slots are used, so a miss (every inside source is looked up here)
    // usually stops at the first empty slot
    private final long[] slots;
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
        int size = Integer.highestOneBit(Math.max(8, n * 4) - 1) << 1;
        mask = size - 1;
        slots = new long[size];
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
        while (slots[i] != 0) {
            if ((int) (slots[i] >>> 32) == addr) {
                return; // first owner wins: an address of a pool that is also a static global stays the pool's
            }
            i = (i + 1) & mask;
        }
        slots[i] = (long) addr << 32 | (value + 1L);
    }

    /**
     * Finds an address.
     *
     * @param addr the address
     * @return {@code slot << 16 | addressIndex} (never negative), or -1 if no pool or static mapping has it
     */
    public int find(int addr) {
        int i = mix(addr) & mask;
        long e;
        while ((e = slots[i]) != 0) {
            if ((int) (e >>> 32) == addr) {
                return (int) e - 1;
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
