package dev.natgw.benchmarks;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.natgw.nat.testing.Frames;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Writes minimum-size Ethernet/IPv4/UDP frames (60 bytes, 18 bytes of payload) for any 4-tuple into a
 * {@link MemorySegment} in a few nanoseconds each: a template built by {@link Frames} is copied and its
 * addresses, ports and both checksums are patched. The checksums are the template's constant words plus the
 * tuple's words, summed here and nowhere in the translator; {@link #selfCheck()} compares the output with
 * {@link Frames} byte for byte. Immutable; allocation-free in {@link #write}.
 */
final class UdpFrameWriter {
    /** Frame length: the Ethernet minimum without the FCS. */
    static final int LENGTH = 60;
    private static final int PAYLOAD = LENGTH - 14 - 20 - 8;
    private static final int IP = 14;
    private static final int UDP = IP + 20;
    private static final ValueLayout.OfShort U16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final MemorySegment template;
    /** One's-complement sums of the words that do not depend on the tuple. */
    private final int ipBase;
    private final int udpBase;

    UdpFrameWriter() {
        byte[] t = Frames.udp(0, 0, 0, 0).payload(new byte[PAYLOAD]).build();
        if (t.length != LENGTH) {
            throw new IllegalStateException("template is " + t.length + " bytes, expected " + LENGTH);
        }
        template = MemorySegment.ofArray(t);
        int ip = 0;
        for (int o = IP; o < IP + 20; o += 2) {
            // the template's addresses are zero; its checksum field is left out
            ip += o == IP + 10 ? 0 : u16(template, o);
        }
        ipBase = ip;
        int udpLength = LENGTH - UDP;
        // pseudo-header protocol and UDP length, the header's length field, then the payload
        int udp = 17 + udpLength + udpLength;
        for (int o = UDP + 8; o < LENGTH; o += 2) {
            udp += u16(template, o);
        }
        udpBase = udp;
    }

    /**
     * Writes the frame {@code src:srcPort -> dst:dstPort}.
     *
     * @param m the target memory
     * @param off where the frame starts
     * @param src the source address, network order
     * @param srcPort the source port
     * @param dst the destination address
     * @param dstPort the destination port
     */
    void write(MemorySegment m, long off, int src, int srcPort, int dst, int dstPort) {
        MemorySegment.copy(template, 0, m, off, LENGTH);
        int addrs = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
        m.set(U32, off + IP + 12, src);
        m.set(U32, off + IP + 16, dst);
        m.set(U16, off + IP + 10, (short) ~fold(ipBase + addrs));
        m.set(U16, off + UDP, (short) srcPort);
        m.set(U16, off + UDP + 2, (short) dstPort);
        int sum = ~fold(udpBase + addrs + srcPort + dstPort) & 0xffff;
        m.set(U16, off + UDP + 6, (short) (sum == 0 ? 0xffff : sum));
    }

    private static int fold(int s) {
        s = (s >>> 16) + (s & 0xffff);
        return (s >>> 16) + (s & 0xffff);
    }

    private static int u16(MemorySegment m, long off) {
        return m.get(U16, off) & 0xffff;
    }

    /** Throws unless the frames written equal {@link Frames}' for a spread of tuples. */
    void selfCheck() {
        MemorySegment m = MemorySegment.ofArray(new byte[LENGTH]);
        SplittableRandom r = new SplittableRandom(7);
        for (int k = 0; k < 10_000; k++) {
            int src = r.nextInt();
            int dst = r.nextInt();
            int sp = r.nextInt(65536);
            int dp = r.nextInt(65536);
            write(m, 0, src, sp, dst, dp);
            byte[] expected = Frames.udp(src, sp, dst, dp).payload(new byte[PAYLOAD]).build();
            if (!Arrays.equals(expected, m.toArray(JAVA_BYTE))) {
                throw new IllegalStateException(
                        "UdpFrameWriter differs from Frames for " + src + ":" + sp + " -> " + dst + ":" + dp);
            }
        }
    }
}
