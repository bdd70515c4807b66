package dev.natgw.nat.fastpath;

import java.util.Objects;

/**
 * The Toeplitz hash that NICs use for receive-side scaling, over the IPv4 2-tuple and the IPv4
 * TCP/UDP 4-tuple. The input is laid out as DPDK and Microsoft lay it out: source address,
 * destination address, source port, destination port, each big-endian, so {@code hash} returns the
 * value the NIC computes for the same key.
 *
 * <p>
 * The hash is linear over XOR in its input bits: every input byte contributes independently. The
 * constructor therefore precomputes, for each of the 12 input byte positions and each of the 256
 * byte values, the 32-bit contribution, and a hash is 8 or 12 table lookups XORed together. The same
 * linearity lets the port allocator split a hash into a flow part and a port part:
 * {@code hash(s, d, sp, dp) == hash(s, d, sp, 0) ^ dstPortPart(dp)}.
 *
 * <p>
 * Immutable and allocation-free after construction; any thread may call it.
 */
public final class Toeplitz {
    /** Input bytes of the IPv4 4-tuple: two addresses and two ports. */
    private static final int INPUT_BYTES = 12;

    /** contribution[position * 256 + value]: what input byte {@code position} = value XORs in. */
    private final int[] contribution = new int[INPUT_BYTES * 256];

    /**
     * Precomputes the tables for a key.
     *
     * @param key the Toeplitz key, 40 or 52 bytes (only the first 16 matter for IPv4)
     * @throws IllegalArgumentException if the key has another length
     * @throws NullPointerException if key is null
     */
    public Toeplitz(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != 40 && key.length != 52) {
            throw new IllegalArgumentException("key must be 40 or 52 bytes, was " + key.length);
        }
        for (int position = 0; position < INPUT_BYTES; position++) {
            // window[k]: the 32 key bits starting at input bit 8 * position + k (k = 0 is the MSB)
            int[] window = new int[8];
            for (int k = 0; k < 8; k++) {
                window[k] = keyWindow(key, 8 * position + k);
            }
            for (int value = 0; value < 256; value++) {
                int h = 0;
                for (int k = 0; k < 8; k++) {
                    if ((value & (0x80 >>> k)) != 0) {
                        h ^= window[k];
                    }
                }
                contribution[position * 256 + value] = h;
            }
        }
    }

    /** The 32 bits of the key that start at bit {@code bit}, counting from the key's first MSB. */
    private static int keyWindow(byte[] key, int bit) {
        int first = bit >>> 3;
        long forty = 0;
        for (int i = 0; i < 5; i++) {
            forty = forty << 8 | (key[first + i] & 0xff);
        }
        return (int) (forty >>> (8 - (bit & 7)));
    }

    /**
     * Hashes the IPv4 2-tuple, as a NIC does for a packet without (or not hashed on) ports.
     *
     * @param src the source address, network order
     * @param dst the destination address, network order
     * @return the 32-bit hash
     */
    public int hash(int src, int dst) {
        int[] c = contribution;
        return c[src >>> 24] ^ c[256 + (src >>> 16 & 0xff)] ^ c[512 + (src >>> 8 & 0xff)] ^ c[768 + (src & 0xff)]
                ^ c[1024 + (dst >>> 24)] ^ c[1280 + (dst >>> 16 & 0xff)] ^ c[1536 + (dst >>> 8 & 0xff)]
                ^ c[1792 + (dst & 0xff)];
    }

    /**
     * Hashes the IPv4 TCP/UDP 4-tuple.
     *
     * @param src the source address, network order
     * @param dst the destination address, network order
     * @param srcPort the source port, 0..65535
     * @param dstPort the destination port, 0..65535
     * @return the 32-bit hash
     */
    public int hash(int src, int dst, int srcPort, int dstPort) {
        return hash(src, dst) ^ srcPortPart(srcPort) ^ dstPortPart(dstPort);
    }

    /**
     * Returns the destination port's XOR contribution to the 4-tuple hash.
     *
     * @param port the port, 0..65535 (higher bits are ignored)
     * @return the contribution
     */
    public int dstPortPart(int port) {
        return contribution[2560 + (port >>> 8 & 0xff)] ^ contribution[2816 + (port & 0xff)];
    }

    /**
     * Returns the source port's XOR contribution to the 4-tuple hash.
     *
     * @param port the port, 0..65535 (higher bits are ignored)
     * @return the contribution
     */
    public int srcPortPart(int port) {
        return contribution[2048 + (port >>> 8 & 0xff)] ^ contribution[2304 + (port & 0xff)];
    }
}
