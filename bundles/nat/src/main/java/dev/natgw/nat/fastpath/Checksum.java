package dev.natgw.nat.fastpath;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) over frames in a {@link MemorySegment}, and its incremental update
 * (RFC 1624). Checksums are {@code int}s holding the 16-bit field value, 0..0xffff.
 *
 * <p>
 * Stateless and thread-safe; allocation-free, so any worker may call it on the fast path.
 */
public final class Checksum {

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;

    private Checksum() {
    }

    /**
     * Adds {@code len} bytes at {@code off} to a running one's-complement sum, as big-endian 16-bit words
     * with an odd trailing byte padded by a zero byte. Chain calls only when every call but the last covers
     * an even number of bytes.
     *
     * @param m the segment
     * @param off where the bytes start
     * @param len how many bytes, at least 0
     * @param acc the sum so far, 0 to start
     * @return the new sum with its carries folded into 17 bits, to pass on or to {@link #fold(int)}
     */
    public static int partial(MemorySegment m, long off, int len, int acc) {
        // 32-bit words in a 64-bit sum: 2^16 is 1 modulo 0xffff, so folding the wide sum gives the 16-bit sum
        long sum = acc & 0xffffffffL;
        long p = off;
        long end = off + len;
        for (; p + 4 <= end; p += 4) {
            sum += m.get(U32, p) & 0xffffffffL;
        }
        if (p + 2 <= end) {
            sum += m.get(U16, p) & 0xffff;
            p += 2;
        }
        if (p < end) {
            sum += (m.get(ValueLayout.JAVA_BYTE, p) & 0xff) << 8;
        }
        return (int) carries(sum);
    }

    /**
     * Folds a sum to 16 bits and complements it: the value to store in a checksum field, or 0 when the
     * sum covered a valid checksum.
     *
     * @param acc a sum from {@link #partial} or plain additions of 16-bit words, read as unsigned
     * @return the checksum, 0..0xffff
     */
    public static int fold(int acc) {
        return ~(int) carries(acc & 0xffffffffL) & 0xffff;
    }

    /**
     * Updates a checksum for one 16-bit word that changed, by RFC 1624 eqn. 3:
     * {@code HC' = ~(~HC + ~m + m')}, which, unlike eqn. 2, never turns a header into one that sums to
     * -0.
     *
     * @param checksum the field's value, 0..0xffff
     * @param oldWord the word before, 0..0xffff
     * @param newWord the word after, 0..0xffff
     * @return the new field value, 0..0xffff
     */
    public static int adjust16(int checksum, int oldWord, int newWord) {
        int sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }

    /**
     * Updates a checksum for a 32-bit value (an address) that changed: two {@link #adjust16} steps.
     *
     * @param checksum the field's value, 0..0xffff
     * @param oldValue the value before
     * @param newValue the value after
     * @return the new field value, 0..0xffff
     */
    public static int adjust32(int checksum, int oldValue, int newValue) {
        return adjust16(adjust16(checksum, oldValue >>> 16, newValue >>> 16), oldValue & 0xffff, newValue & 0xffff);
    }

    /**
     * Tells whether an IPv4 header's checksum is right. Out-of-range arguments give false, never an
     * exception.
     *
     * @param m the segment
     * @param l3 where the IPv4 header starts
     * @param ihlBytes the header length in bytes, 20..60
     * @return true if the header, checksum field included, sums to -0
     */
    public static boolean ipv4HeaderValid(MemorySegment m, long l3, int ihlBytes) {
        if (ihlBytes < 20 || ihlBytes > 60 || l3 < 0 || l3 > m.byteSize() - ihlBytes) {
            return false;
        }
        return fold(partial(m, l3, ihlBytes, 0)) == 0;
    }

    /**
     * Tells whether the L4 checksum of a packet that {@link Packet#parse} accepted is right: TCP and UDP
     * over the IPv4 pseudo-header and {@link Packet#l4Length} bytes, ICMP over its message alone. A UDP
     * checksum of 0 means "none" and is valid; other protocols have nothing checked here and are valid. A
     * fragment's checksum covers bytes in the datagram's other fragments, which the translator never holds together:
     * it cannot be checked here and counts as valid (the receiving host checks it after reassembly).
     *
     * @param m the segment the packet was parsed from
     * @param p the parse result
     * @return true if the checksum is right or absent
     */
    public static boolean l4Valid(MemorySegment m, Packet p) {
        if (p.fragment) {
            return true;
        }
        switch (p.proto) {
            case PROTO_TCP :
                return fold(partial(m, p.l4, p.l4Length, pseudoHeader(p.src, p.dst, PROTO_TCP, p.l4Length))) == 0;
            case PROTO_UDP :
                if (m.get(U16, p.l4 + 6) == 0) {
                    return true;
                }
                return fold(partial(m, p.l4, p.l4Length, pseudoHeader(p.src, p.dst, PROTO_UDP, p.l4Length))) == 0;
            case PROTO_ICMP :
                return fold(partial(m, p.l4, p.l4Length, 0)) == 0;
            default :
                return true;
        }
    }

    /** The unfolded sum of the IPv4 pseudo-header (RFC 793, RFC 768). */
    static int pseudoHeader(int src, int dst, int proto, int l4Length) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + l4Length;
    }

    private static long carries(long sum) {
        // two rounds leave at most 0xffff + 1 carry, a third makes it 16 bits
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return (sum & 0xffff) + (sum >>> 16);
    }
}
