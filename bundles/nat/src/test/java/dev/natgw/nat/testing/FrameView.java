package dev.natgw.nat.testing;

import static dev.natgw.nat.testing.Frames.getInt;
import static dev.natgw.nat.testing.Frames.getShort;

import dev.natgw.api.nat.Ipv4;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads an Ethernet/IPv4 frame back for assertions: header fields, the packet an ICMP error quotes, and
 * every checksum (IP, TCP/UDP with the pseudo-header, ICMP, the quoted IP header and, when the whole quoted
 * packet is there, its L4), each verified with {@link Frames}' own arithmetic, not the translator's.
 *
 * <p>
 * A snapshot: it copies the frame when built. Expects a frame with a complete IPv4 header and L4 header;
 * it is a test tool, not a parser of hostile input.
 */
public final class FrameView {

    private final byte[] f;
    private final int l3;
    private final int ihl;
    private final int l4;

    /**
     * Views a copy of a frame.
     *
     * @param frame the frame bytes
     */
    public FrameView(byte[] frame) {
        this.f = frame.clone();
        this.l3 = Frames.l3Offset(f);
        this.ihl = (f[l3] & 0x0f) * 4;
        this.l4 = l3 + ihl;
    }

    /**
     * Views a copy of a frame in a segment.
     *
     * @param m the segment
     * @param offset where the frame starts
     * @param length its length
     * @return the view
     */
    public static FrameView of(MemorySegment m, long offset, int length) {
        return new FrameView(m.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * Views a copy of a whole segment.
     *
     * @param m the segment, exactly one frame
     * @return the view
     */
    public static FrameView of(MemorySegment m) {
        return of(m, 0, (int) m.byteSize());
    }

    /** @return a copy of the frame bytes */
    public byte[] bytes() {
        return f.clone();
    }

    /** @return the VLAN id, or -1 without a tag */
    public int vlan() {
        return l3 == Frames.ETH ? -1 : getShort(f, 14) & 0x0fff;
    }

    /** @return the IPv4 header's offset in the frame */
    public int l3Offset() {
        return l3;
    }

    /** @return the IPv4 header length in bytes */
    public int ihl() {
        return ihl;
    }

    /** @return the IPv4 total length field */
    public int totalLength() {
        return getShort(f, l3 + 2);
    }

    /** @return the TTL */
    public int ttl() {
        return f[l3 + 8] & 0xff;
    }

    /** @return the IP protocol */
    public int proto() {
        return f[l3 + 9] & 0xff;
    }

    /** @return the IP header checksum field */
    public int ipChecksum() {
        return getShort(f, l3 + 10);
    }

    /** @return the source address */
    public int src() {
        return getInt(f, l3 + 12);
    }

    /** @return the destination address */
    public int dst() {
        return getInt(f, l3 + 16);
    }

    /** @return the TCP/UDP source port */
    public int srcPort() {
        return getShort(f, l4);
    }

    /** @return the TCP/UDP destination port */
    public int dstPort() {
        return getShort(f, l4 + 2);
    }

    /** @return the TCP flags byte */
    public int tcpFlags() {
        return f[l4 + 13] & 0xff;
    }

    /** @return the TCP sequence number */
    public int seq() {
        return getInt(f, l4 + 4);
    }

    /** @return the TCP acknowledgment number */
    public int ack() {
        return getInt(f, l4 + 8);
    }

    /** @return the UDP checksum field (0: none) */
    public int udpChecksum() {
        return getShort(f, l4 + 6);
    }

    /** @return the ICMP type */
    public int icmpType() {
        return f[l4] & 0xff;
    }

    /** @return the ICMP code */
    public int icmpCode() {
        return f[l4 + 1] & 0xff;
    }

    /** @return the ICMP echo identifier */
    public int icmpId() {
        return getShort(f, l4 + 4);
    }

    /** @return the ICMP echo sequence number */
    public int icmpSeq() {
        return getShort(f, l4 + 6);
    }

    /** @return the bytes after the TCP/UDP/ICMP header up to the IP total length */
    public byte[] payload() {
        int start = switch (proto()) {
            case Frames.TCP -> l4 + ((f[l4 + 12] & 0xff) >>> 4) * 4;
            case Frames.UDP, Frames.ICMP -> l4 + 8;
            default -> l4;
        };
        return Arrays.copyOfRange(f, start, l3 + totalLength());
    }

    /** @return the packet an ICMP error quotes (IP header and what follows), as a frame with no VLAN tag */
    public FrameView inner() {
        int innerStart = l4 + 8;
        int end = l3 + totalLength();
        byte[] frame = new byte[Frames.ETH + end - innerStart];
        Frames.putShort(frame, 12, 0x0800);
        System.arraycopy(f, innerStart, frame, Frames.ETH, end - innerStart);
        return new FrameView(frame);
    }

    /** @return the quoted L4 bytes an ICMP error carries after the quoted IP header */
    public int innerQuotedL4Bytes() {
        FrameView in = inner();
        return in.f.length - in.l4;
    }

    /** @return true if the IP header checksum is right */
    public boolean ipChecksumValid() {
        return Frames.internetChecksum(f, l3, ihl) == 0;
    }

    /**
     * Whether the L4 checksum is right: TCP and UDP (0 counts as none) under the pseudo-header, ICMP over
     * its message; true for other protocols and for a packet cut short (a quoted one).
     *
     * @return true if right or not checkable
     */
    public boolean l4ChecksumValid() {
        int total = totalLength();
        if (l3 + total > f.length) {
            return true;
        }
        int length = total - ihl;
        return switch (proto()) {
            case Frames.TCP -> Frames.pseudoChecksum(src(), dst(), Frames.TCP, f, l4, length) == 0;
            case Frames.UDP -> {
                int udpLength = getShort(f, l4 + 4);
                yield udpChecksum() == 0 || Frames.pseudoChecksum(src(), dst(), Frames.UDP, f, l4, udpLength) == 0;
            }
            case Frames.ICMP -> Frames.internetChecksum(f, l4, length) == 0;
            default -> true;
        };
    }

    /** @return true if the whole quoted packet is present, so its L4 checksum can be verified */
    public boolean l4Complete() {
        return l3 + totalLength() <= f.length;
    }

    private boolean isIcmpError() {
        if (proto() != Frames.ICMP || l4 >= f.length) {
            return false;
        }
        int t = icmpType();
        return t == 3 || t == 11 || t == 12;
    }

    /**
     * Every checksum that is wrong, as readable messages: IP, L4 and, for an ICMP error, the quoted IP header
     * and (when complete) the quoted L4.
     *
     * @return the problems, empty if every checksum is right
     */
    public List<String> checksumProblems() {
        List<String> problems = new ArrayList<>();
        check(problems, "", this);
        if (isIcmpError() && f.length - (l4 + 8) >= 20) {
            FrameView in = inner();
            check(problems, "inner ", in);
        }
        return problems;
    }

    private static void check(List<String> problems, String prefix, FrameView v) {
        if (!v.ipChecksumValid()) {
            problems.add(prefix + "IP header checksum 0x" + Integer.toHexString(v.ipChecksum()) + " is wrong, "
                    + v.describe());
        }
        if (!v.l4ChecksumValid()) {
            problems.add(
                    prefix + v.protoName() + " checksum 0x" + Integer.toHexString(getShort(v.f, v.l4 + v.l4SumAt()))
                            + " is wrong, " + v.describe());
        }
    }

    private int l4SumAt() {
        return switch (proto()) {
            case Frames.TCP -> 16;
            case Frames.UDP -> 6;
            default -> 2;
        };
    }

    private String protoName() {
        return switch (proto()) {
            case Frames.TCP -> "TCP";
            case Frames.UDP -> "UDP";
            case Frames.ICMP -> "ICMP";
            default -> "protocol " + proto();
        };
    }

    /**
     * Throws if any checksum is wrong.
     *
     * @throws AssertionError listing every wrong checksum
     */
    public void assertChecksumsValid() {
        List<String> problems = checksumProblems();
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("; ", problems));
        }
    }

    /** @return a one-line summary, such as {@code TCP 10.0.0.1:1024 -> 8.8.8.8:53} */
    public String describe() {
        String ends = switch (proto()) {
            case Frames.TCP, Frames.UDP -> Ipv4.format(src()) + ":" + srcPort() + " -> " + Ipv4.format(dst()) + ":"
                    + dstPort();
            default -> Ipv4.format(src()) + " -> " + Ipv4.format(dst());
        };
        return protoName() + " " + ends;
    }

    @Override
    public String toString() {
        return describe();
    }
}
