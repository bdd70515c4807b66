package dev.natgw.tester;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The tester's test frames: Ethernet, IPv4 (no options), UDP, and a payload whose first nine bytes tag the frame
 * ({@link #MAGIC}, the flow index, the direction) and whose rest is zeros. Frames are written and checked at an
 * offset of any segment (an mbuf's data through the all-memory segment, or a heap segment in the unit tests);
 * nothing here allocates.
 *
 * <p>
 * Sizes are the RFC's frame sizes with the 4-byte FCS: a 64-byte frame is 60 bytes here, 1518 is 1514.
 */
public final class Frames {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** "R969". */
    static final int MAGIC = 0x52393639;
    static final int ETH = 14;
    static final int IP = ETH;
    static final int UDP = IP + 20;
    static final int PAYLOAD = UDP + 8;
    /**
     * Magic (4), flow index (4), direction (1), zero (1), trial number (4), the frame's scheduled send time in
     * microseconds of the tester's clock (4): all of a 64-byte frame's payload.
     */
    static final int TAG = 18;
    /** The smallest frame (64 bytes on the wire) without its FCS. */
    public static final int MIN = 60;
    /** The largest frame (1518 bytes on the wire) without its FCS. */
    public static final int MAX = 1514;

    /** Direction tags: inside to outside, outside to inside. */
    static final int FORWARD = 0;
    static final int REVERSE = 1;

    // why a received frame was refused; the index into the tester's refusal counters
    static final int OK = 0;
    static final int NOT_IPV4_UDP = 1;
    static final int BAD_IP_CHECKSUM = 2;
    static final int BAD_UDP_CHECKSUM = 3;
    static final int BAD_LENGTH = 4;
    static final int NOT_OURS = 5;
    static final int WRONG_DESTINATION = 6;
    static final int SOURCE_NOT_IN_POOL = 7;
    static final int WRONG_SOURCE = 8;
    /** A frame of an earlier trial, arriving late: lost for its own trial, not a fault of this one. */
    static final int STALE = 9;
    static final int REASONS = 10;
    static final String[] REASON_NAMES = {"ok", "not-ipv4-udp", "bad-ip-checksum", "bad-udp-checksum", "bad-length",
            "not-ours", "wrong-destination", "source-not-in-pool", "wrong-source", "stale"};

    private Frames() {
    }

    /**
     * Writes a frame whose payload beyond the tag is already zero (a copy of {@link #template}).
     *
     * @return the frame's length
     */
    static int write(MemorySegment s, long at, int length, int src, int srcPort, int dst, int dstPort, int flow,
            int direction, int trial, int stamp) {
        int ipLen = length - ETH;
        int udpLen = ipLen - 20;
        s.set(U16, at + IP + 2, (short) ipLen);
        s.set(U32, at + IP + 12, src);
        s.set(U32, at + IP + 16, dst);
        s.set(U16, at + IP + 10, (short) 0);
        s.set(U16, at + IP + 10, (short) ~fold(sum(s, at + IP, 20, 0)));
        s.set(U16, at + UDP, (short) srcPort);
        s.set(U16, at + UDP + 2, (short) dstPort);
        s.set(U16, at + UDP + 4, (short) udpLen);
        s.set(U32, at + PAYLOAD, MAGIC);
        s.set(U32, at + PAYLOAD + 4, flow);
        s.set(ValueLayout.JAVA_BYTE, at + PAYLOAD + 8, (byte) direction);
        s.set(U32, at + PAYLOAD + 10, trial);
        s.set(U32, at + PAYLOAD + 14, stamp);
        // the zeros after the tag add nothing to the sum
        long sum = pseudo(src, dst, udpLen) + (srcPort & 0xffff) + (dstPort & 0xffff) + udpLen
                + (MAGIC >>> 16) + (MAGIC & 0xffff) + (flow >>> 16) + (flow & 0xffff) + ((direction & 0xff) << 8)
                + (trial >>> 16) + (trial & 0xffff) + (stamp >>> 16) + (stamp & 0xffff);
        int c = ~fold(sum) & 0xffff;
        s.set(U16, at + UDP + 6, (short) (c == 0 ? 0xffff : c));
        return length;
    }

    /** Writes the fixed part of a frame (MACs, the constant IPv4 fields) and zeros the rest. */
    static void template(MemorySegment s, long at, int length, long dstMac, long srcMac) {
        s.asSlice(at, length).fill((byte) 0);
        putMac(s, at, dstMac);
        putMac(s, at + 6, srcMac);
        s.set(U16, at + 12, (short) 0x0800);
        s.set(ValueLayout.JAVA_BYTE, at + IP, (byte) 0x45);
        s.set(ValueLayout.JAVA_BYTE, at + IP + 8, (byte) 64);
        s.set(ValueLayout.JAVA_BYTE, at + IP + 9, (byte) 17);
    }

    static void putMac(MemorySegment s, long at, long mac) {
        s.set(U16, at, (short) (mac >>> 32));
        s.set(U32, at + 2, (int) mac);
    }

    static long getMac(MemorySegment s, long at) {
        return ((long) (s.get(U16, at) & 0xffff) << 32) | (s.get(U32, at + 2) & 0xffffffffL);
    }

    static long pseudo(int src, int dst, int udpLen) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 17 + udpLen;
    }

    /** {@return the ones' complement sum, not folded, of len bytes at s[at] added to sum} */
    static long sum(MemorySegment s, long at, int len, long sum) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long v = s.get(U64, at + i);
            sum += (v >>> 48) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
        }
        for (; i + 2 <= len; i += 2) {
            sum += s.get(U16, at + i) & 0xffff;
        }
        if (i < len) {
            sum += (s.get(ValueLayout.JAVA_BYTE, at + i) & 0xff) << 8;
        }
        return sum;
    }

    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /**
     * Checks the IPv4 and UDP structure and checksums of a received frame and reads its tag.
     *
     * @return {@link #OK} or the reason it is refused
     */
    static int checkHeaders(MemorySegment s, long at, int length, int expectedLength, int direction, int trial) {
        if (length < PAYLOAD + TAG || s.get(U16, at + 12) != 0x0800
                || s.get(ValueLayout.JAVA_BYTE, at + IP) != 0x45 || s.get(ValueLayout.JAVA_BYTE, at + IP + 9) != 17) {
            return NOT_IPV4_UDP;
        }
        int ipLen = s.get(U16, at + IP + 2) & 0xffff;
        int udpLen = s.get(U16, at + UDP + 4) & 0xffff;
        // the gateway may pad nothing away nor add: the frame must come out as long as it went in
        if (length != expectedLength || ipLen != length - ETH || udpLen != ipLen - 20) {
            return BAD_LENGTH;
        }
        if (fold(sum(s, at + IP, 20, 0)) != 0xffff) {
            return BAD_IP_CHECKSUM;
        }
        int src = s.get(U32, at + IP + 12);
        int dst = s.get(U32, at + IP + 16);
        // a zero UDP checksum would mean "none"; the tester always sends one, so the gateway must keep one
        if (s.get(U16, at + UDP + 6) == 0 || fold(sum(s, at + UDP, udpLen, pseudo(src, dst, udpLen))) != 0xffff) {
            return BAD_UDP_CHECKSUM;
        }
        if (s.get(U32, at + PAYLOAD) != MAGIC || s.get(ValueLayout.JAVA_BYTE, at + PAYLOAD + 8) != direction) {
            return NOT_OURS;
        }
        return s.get(U32, at + PAYLOAD + 10) == trial ? OK : STALE;
    }

    static int flow(MemorySegment s, long at) {
        return s.get(U32, at + PAYLOAD + 4);
    }

    /** {@return the scheduled send time the tester stamped, in microseconds} */
    static int stamp(MemorySegment s, long at) {
        return s.get(U32, at + PAYLOAD + 14);
    }

    static int src(MemorySegment s, long at) {
        return s.get(U32, at + IP + 12);
    }

    static int dst(MemorySegment s, long at) {
        return s.get(U32, at + IP + 16);
    }

    static int srcPort(MemorySegment s, long at) {
        return s.get(U16, at + UDP) & 0xffff;
    }

    static int dstPort(MemorySegment s, long at) {
        return s.get(U16, at + UDP + 2) & 0xffff;
    }
}
