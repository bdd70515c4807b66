package dev.natgw.api.dataplane;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The receive-side scaling configuration: the Toeplitz key and the redirection table (RETA) that
 * send each flow to one receive queue. {@link Dataplane#rss()} is the one authority: the dataplane
 * programs the NIC with it and the NAT port allocator computes with it, so return traffic lands on
 * the worker that owns the session. The Toeplitz hash itself is computed by the NAT bundle, not
 * here.
 *
 * <p>
 * Immutable: the constructor copies the arrays and the accessors {@link #key()} and
 * {@link #redirectionTable()} return fresh copies. {@link #queueForHash(int)} allocates nothing and
 * a worker may call it.
 *
 * @param key the Toeplitz key, 40 or 52 bytes
 * @param redirectionTable the RETA: queue numbers 0..queues-1, a power-of-two number of entries; a
 *     NIC with a larger table is programmed with this one repeated, which maps every hash to the
 *     same queue
 * @param queues the number of receive queues, at least 1
 */
public record RssConfig(byte[] key, int[] redirectionTable, int queues) {
    /** The entries of the RETA made by {@link #symmetricDefault(int)}. */
    public static final int DEFAULT_RETA_SIZE = 128;

    /** Validates and copies. */
    public RssConfig {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(redirectionTable, "redirectionTable");
        if (key.length != 40 && key.length != 52) {
            throw new IllegalArgumentException("key must be 40 or 52 bytes, was " + key.length);
        }
        if (queues < 1) {
            throw new IllegalArgumentException("queues must be >= 1, was " + queues);
        }
        if (redirectionTable.length == 0 || Integer.bitCount(redirectionTable.length) != 1) {
            throw new IllegalArgumentException(
                    "redirectionTable size must be a power of two, was " + redirectionTable.length);
        }
        key = key.clone();
        redirectionTable = redirectionTable.clone();
        for (int i = 0; i < redirectionTable.length; i++) {
            if (redirectionTable[i] < 0 || redirectionTable[i] >= queues) {
                throw new IllegalArgumentException("redirectionTable[" + i + "] must be 0.." + (queues - 1) + ", was "
                        + redirectionTable[i]);
            }
        }
    }

    /**
     * Returns the symmetric default: the key 0x6d5a repeated to 40 bytes, which hashes both directions
     * of a flow alike, and a {@value #DEFAULT_RETA_SIZE}-entry RETA that assigns the queues
     * round-robin.
     *
     * @param queues the number of receive queues, 1..{@value #DEFAULT_RETA_SIZE}
     * @return the configuration
     * @throws IllegalArgumentException if queues is out of range
     */
    public static RssConfig symmetricDefault(int queues) {
        if (queues < 1 || queues > DEFAULT_RETA_SIZE) {
            throw new IllegalArgumentException("queues must be 1.." + DEFAULT_RETA_SIZE + ", was " + queues);
        }
        byte[] key = new byte[40];
        for (int i = 0; i < key.length; i += 2) {
            key[i] = 0x6d;
            key[i + 1] = 0x5a;
        }
        int[] reta = new int[DEFAULT_RETA_SIZE];
        for (int i = 0; i < reta.length; i++) {
            reta[i] = i % queues;
        }
        return new RssConfig(key, reta, queues);
    }

    /** {@return a copy of the Toeplitz key} */
    @Override
    public byte[] key() {
        return key.clone();
    }

    /** {@return a copy of the redirection table} */
    @Override
    public int[] redirectionTable() {
        return redirectionTable.clone();
    }

    /**
     * Returns the queue a packet with this RSS hash is received on: the RETA entry indexed by the
     * hash's low bits. Allocation-free; a worker may call it.
     *
     * @param hash the 32-bit Toeplitz hash
     * @return the queue, 0..queues-1
     */
    public int queueForHash(int hash) {
        return redirectionTable[hash & (redirectionTable.length - 1)];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RssConfig r && queues == r.queues && Arrays.equals(key, r.key)
                && Arrays.equals(redirectionTable, r.redirectionTable);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(redirectionTable)) + queues;
    }

    @Override
    public String toString() {
        return "RssConfig[key=" + HexFormat.of().formatHex(key) + ", redirectionTable="
                + Arrays.toString(redirectionTable) + ", queues=" + queues + "]";
    }
}
