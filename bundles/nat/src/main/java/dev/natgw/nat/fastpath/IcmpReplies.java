package dev.natgw.nat.fastpath;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns a refused packet, in place, into the ICMP destination unreachable that answers it (RFC 792
 * layout, quoting the refused packet's IP header and first 8 bytes of payload, RFC 1812 4.3.2.3).
 * Runs on a worker; allocation-free.
 */
final class IcmpReplies {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED
            .withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED
            .withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    /** Destination unreachable, communication administratively prohibited: what RFC 6888 asks on exhaustion. */
    static final int CODE_PROHIBITED = 13;

    private IcmpReplies() {
    }

    /**
     * Rewrites the frame that {@code p} describes into a destination unreachable from {@code fromAddr} to the
     * packet's source, swapping the Ethernet addresses; the caller transmits it back where it came from.
     *
     * @param m the segment
     * @param frame the frame's offset
     * @param p the parsed packet (its l3, ihl, totalLength and src are used)
     * @param fromAddr the answer's source address
     * @param code the ICMP code
     * @return the new frame length
     */
    static int unreachable(MemorySegment m, long frame, Packet p, int fromAddr, int code) {
        long l3 = p.l3;
        int quoted = Math.min(p.ihl + 8, p.totalLength);
        // move the quote first: the new headers overwrite where it was (copy behaves like memmove)
        MemorySegment.copy(m, l3, m, l3 + 28, quoted);
        for (int i = 0; i < 6; i++) {
            byte d = m.get(U8, frame + i);
            m.set(U8, frame + i, m.get(U8, frame + 6 + i));
            m.set(U8, frame + 6 + i, d);
        }
        int total = 28 + quoted;
        m.set(U8, l3, (byte) 0x45);
        m.set(U8, l3 + 1, (byte) 0);
        m.set(U16, l3 + 2, (short) total);
        m.set(U16, l3 + 4, (short) 0);
        m.set(U16, l3 + 6, (short) 0x4000); // DF
        m.set(U8, l3 + 8, (byte) 64);
        m.set(U8, l3 + 9, (byte) 1);
        m.set(U16, l3 + 10, (short) 0);
        m.set(U32, l3 + 12, fromAddr);
        m.set(U32, l3 + 16, p.src);
        m.set(U16, l3 + 10, (short) Checksum.fold(Checksum.partial(m, l3, 20, 0)));
        long icmp = l3 + 20;
        m.set(U8, icmp, (byte) 3);
        m.set(U8, icmp + 1, (byte) code);
        m.set(U16, icmp + 2, (short) 0);
        m.set(U32, icmp + 4, 0);
        m.set(U16, icmp + 2, (short) Checksum.fold(Checksum.partial(m, icmp, 8 + quoted, 0)));
        return (int) (l3 - frame) + total;
    }
}
