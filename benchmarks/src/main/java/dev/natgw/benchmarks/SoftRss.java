package dev.natgw.benchmarks;

/**
 * The Toeplitz hash computed the naive way, one input bit at a time, as a software RSS fallback does it
 * (DPDK's {@code rte_softrss} is this algorithm): the input is the big-endian 32-bit words source address,
 * destination address, (source port &lt;&lt; 16 | destination port); for every input bit that is set, counting
 * from the most significant bit of the first word, the 32 key bits starting at the same bit position are
 * XORed into the result. No tables: that is the point of the baseline. Immutable.
 */
final class SoftRss {
    /** The key as big-endian 32-bit words; the 4-tuple needs the first four. */
    private final int[] keyWords;

    /**
     * Reads the key.
     *
     * @param key the RSS key, at least 16 bytes
     */
    SoftRss(byte[] key) {
        keyWords = new int[key.length / 4];
        for (int i = 0; i < keyWords.length; i++) {
            keyWords[i] = (key[4 * i] & 0xff) << 24 | (key[4 * i + 1] & 0xff) << 16 | (key[4 * i + 2] & 0xff) << 8
                    | key[4 * i + 3] & 0xff;
        }
    }

    /**
     * Hashes an IPv4 TCP/UDP 4-tuple.
     *
     * @param src the source address, network order
     * @param dst the destination address
     * @param srcPort the source port
     * @param dstPort the destination port
     * @return the 32-bit hash
     */
    int hash(int src, int dst, int srcPort, int dstPort) {
        int h = 0;
        h ^= word(src, 0);
        h ^= word(dst, 1);
        h ^= word((srcPort & 0xffff) << 16 | dstPort & 0xffff, 2);
        return h;
    }

    /** The contribution of input word {@code j}, bit by bit. */
    private int word(int input, int j) {
        long window = (long) keyWords[j] << 32 | keyWords[j + 1] & 0xffffffffL;
        int h = 0;
        for (int i = 0; i < 32; i++) {
            if ((input & 1 << 31 - i) != 0) {
                // the 32 key bits that start i bits into key word j
                h ^= (int) (window >>> 32 - i);
            }
        }
        return h;
    }
}
