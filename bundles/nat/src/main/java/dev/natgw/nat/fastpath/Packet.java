package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.Checksum.U16;
import static dev.natgw.nat.fastpath.Checksum.U32;

import dev.natgw.nat.handover.Drops;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The parse result of one Ethernet/IPv4 frame, and the in-place rewriters that translate it. One
 * instance per worker, refilled by {@link #parse} for every packet; its public fields are the parse
 * result and are only meaningful after {@code parse} returned {@link #OK}.
 *
 * <p>
 * <b>Invariants.</b> Runs on one worker; allocation-free; never blocks. {@code parse} never throws
 * for any bytes and any length: it reads only bytes it has checked lie inside the frame, and the frame
 * inside the segment. The rewriters must only be called after {@code parse} returned {@code OK} on the
 * same bytes; they touch only bytes {@code parse} checked, keep every checksum valid by RFC 1624
 * incremental updates (a checksum that was wrong stays wrong by the same amount), and update this
 * object's fields to the new values.
 *
 * <p>
 * <b>Parse rules.</b> Ethernet II with at most one 802.1Q tag; anything but IPv4 is {@link #NOT_IPV4}.
 * IPv4 version 4, IHL at least 5 (options skipped), total length at least the header and within the
 * frame (Ethernet padding after it is ignored: the packet is total length long), header checksum
 * valid. A frame or packet that ends before a header it announces is
 * {@link Drops#TRUNCATED}. TCP: data offset at least 5 and inside the packet. UDP: length field 8..IP
 * payload; {@link #l4Length} is that length. ICMP: at least 8 bytes; echo request/reply (8/0) carry
 * their identifier in both {@link #srcPort} and {@link #dstPort}; errors (3, 11, 12) must quote a
 * complete IPv4 header (version 4, IHL at least 5, else {@link Drops#BAD_L4_HEADER}) and at least 8
 * bytes of its L4 (else {@code TRUNCATED}); an error quoting a non-first fragment or another ICMP error,
 * and any other ICMP type, is {@link Drops#ICMP_UNSUPPORTED}. Other IP protocols parse OK with ports 0.
 * L4 checksums are not checked here; see {@link Checksum#l4Valid}.
 *
 * <p>
 * <b>Fragments.</b> A fragment sets {@link #fragment}, {@link #moreFragments}, {@link #fragmentOffset} and
 * {@link #ipId}. A non-last fragment must carry a non-zero multiple of 8 bytes and no fragment may end beyond
 * 65,535 bytes, else {@link Drops#FRAGMENT_INVALID}. A non-first fragment parses OK with ports 0 and no L4
 * fields. A first fragment parses its L4 header as above, except that it must hold the whole TCP header, or 8
 * bytes of UDP or ICMP (else {@code FRAGMENT_INVALID}, RFC 1858), a UDP length field may exceed what it holds and
 * {@link #l4Length} is the bytes it holds; an ICMP error in fragments is {@link Drops#FRAGMENT}.
 */
public final class Packet {

    /** {@link #parse} result: an IPv4 packet the translator can handle. */
    public static final int OK = -1;
    /** {@link #parse} result: not IPv4 (ARP, IPv6, stacked VLANs...), left to other stages. */
    public static final int NOT_IPV4 = -2;

    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETH_HEADER = 14;
    private static final int VLAN_TAG = 4;
    private static final int IPV4_MIN_HEADER = 20;
    private static final int TCP_MIN_HEADER = 20;
    private static final int UDP_HEADER = 8;
    private static final int ICMP_HEADER = 8;
    /** RFC 792: an ICMP error quotes the IP header and at least the first 64 bits of the datagram. */
    private static final int QUOTED_L4_MIN = 8;

    /** Where the IPv4 header starts, in the segment. */
    public long l3;
    /** Where the L4 header starts, in the segment ({@code l3 + ihl}). */
    public long l4;
    /** The IPv4 header length in bytes, 20..60. */
    public int ihl;
    /** The IPv4 total length: the packet's length, header included. */
    public int totalLength;
    /** The L4 length: the UDP length field for UDP, {@code totalLength - ihl} otherwise. */
    public int l4Length;
    /** The IP protocol number. */
    public int proto;
    /** The IPv4 TTL. */
    public int ttl;
    /** The source address, network order. */
    public int src;
    /** The destination address, network order. */
    public int dst;
    /** The TCP/UDP source port; the ICMP echo identifier; 0 for other packets. */
    public int srcPort;
    /** The TCP/UDP destination port; the ICMP echo identifier; 0 for other packets. */
    public int dstPort;
    /** The TCP flags byte (FIN 0x01 ... CWR 0x80); 0 for other protocols. */
    public int tcpFlags;
    /** The ICMP type; 0 for other protocols (so check {@link #proto} first). */
    public int icmpType;
    /** The ICMP code; 0 for other protocols. */
    public int icmpCode;
    /** Whether this is an ICMP error (types 3, 11, 12) whose embedded packet filled the inner fields. */
    public boolean icmpError;
    /** For an ICMP error: where the embedded IPv4 header starts. */
    public long innerL3;
    /** For an ICMP error: where the embedded L4 header starts. */
    public long innerL4;
    /** For an ICMP error: the embedded IPv4 header length in bytes. */
    public int innerIhl;
    /** For an ICMP error: the embedded IP protocol. */
    public int innerProto;
    /** For an ICMP error: the embedded source address. */
    public int innerSrc;
    /** For an ICMP error: the embedded destination address. */
    public int innerDst;
    /** For an ICMP error: the embedded TCP/UDP source port or echo identifier; 0 for other protocols. */
    public int innerSrcPort;
    /** For an ICMP error: the embedded TCP/UDP destination port or echo identifier; 0 for other protocols. */
    public int innerDstPort;
    /** For an ICMP error: the embedded ICMP type, when {@link #innerProto} is ICMP. */
    public int innerIcmpType;
    /** For an ICMP error: the number of embedded L4 bytes quoted, at least 8. */
    public int innerL4Length;
    /**
     * For an ICMP error: the embedded TCP checksum (bytes 16..17), non-zero UDP checksum (6..7) or ICMP
     * checksum (2..3) lies inside the quoted bytes, so the inner rewriters update it.
     */
    public boolean innerHasL4Checksum;
    /** Whether the packet is an IPv4 fragment (MF set or a non-zero offset). */
    public boolean fragment;
    /** For a fragment: whether MF is set, so more fragments follow. */
    public boolean moreFragments;
    /** For a fragment: its offset in the datagram in bytes; 0 for the first, which alone has the L4 header. */
    public int fragmentOffset;
    /** For a fragment: the IPv4 identification, which with the addresses and protocol names its datagram. */
    public int ipId;

    /**
     * Parses a frame into this object's fields.
     *
     * @param m the segment holding the frame
     * @param frameOffset where the Ethernet header starts
     * @param frameLength the frame's length in bytes
     * @return {@link #OK}, {@link #NOT_IPV4} or a {@link Drops} code; never throws
     */
    public int parse(MemorySegment m, long frameOffset, int frameLength) {
        clear();
        if (frameOffset < 0 || frameLength < 0 || frameOffset > m.byteSize() - frameLength) {
            return Drops.TRUNCATED;
        }
        if (frameLength < ETH_HEADER) {
            return Drops.TRUNCATED;
        }
        int l2 = ETH_HEADER;
        int etherType = u16(m, frameOffset + 12);
        if (etherType == ETHERTYPE_VLAN) {
            if (frameLength < ETH_HEADER + VLAN_TAG) {
                return Drops.TRUNCATED;
            }
            l2 += VLAN_TAG;
            etherType = u16(m, frameOffset + 16);
        }
        if (etherType != ETHERTYPE_IPV4) {
            return NOT_IPV4;
        }
        int avail = frameLength - l2;
        long ip = frameOffset + l2;
        if (avail < IPV4_MIN_HEADER) {
            return Drops.TRUNCATED;
        }
        int versionIhl = u8(m, ip);
        int headerLength = (versionIhl & 0x0f) << 2;
        if (versionIhl >>> 4 != 4 || headerLength < IPV4_MIN_HEADER) {
            return Drops.BAD_IP_HEADER;
        }
        if (headerLength > avail) {
            return Drops.TRUNCATED;
        }
        int total = u16(m, ip + 2);
        if (total < headerLength) {
            return Drops.BAD_IP_HEADER;
        }
        if (total > avail) {
            return Drops.TRUNCATED;
        }
        if (!Checksum.ipv4HeaderValid(m, ip, headerLength)) {
            return Drops.BAD_IP_CHECKSUM;
        }
        l3 = ip;
        ihl = headerLength;
        totalLength = total;
        ttl = u8(m, ip + 8);
        proto = u8(m, ip + 9);
        src = m.get(U32, ip + 12);
        dst = m.get(U32, ip + 16);
        l4 = ip + headerLength;
        int payload = total - headerLength;
        l4Length = payload;
        // MF (0x2000) or a fragment offset; DF and the reserved bit do not matter to NAT
        int flagsOffset = u16(m, ip + 6);
        if ((flagsOffset & 0x3fff) != 0) {
            fragment = true;
            moreFragments = (flagsOffset & 0x2000) != 0;
            fragmentOffset = (flagsOffset & 0x1fff) << 3;
            ipId = u16(m, ip + 4);
            if (moreFragments && (payload == 0 || (payload & 7) != 0)
                    || fragmentOffset + payload > 0xffff - headerLength) {
                // RFC 791: only the last fragment may end off an 8-byte boundary; nothing may end beyond 65,535
                return Drops.FRAGMENT_INVALID;
            }
            if (fragmentOffset != 0) {
                // no L4 header here: the first fragment's translation applies
                return OK;
            }
        }
        switch (proto) {
            case PROTO_TCP :
                return parseTcp(m, payload);
            case PROTO_UDP :
                return parseUdp(m, payload);
            case PROTO_ICMP :
                return parseIcmp(m, payload);
            default :
                return OK;
        }
    }

    private int parseTcp(MemorySegment m, int payload) {
        if (payload < TCP_MIN_HEADER) {
            // RFC 1858: a first fragment without the whole header could hide the flags from a filter
            return fragment ? Drops.FRAGMENT_INVALID : Drops.TRUNCATED;
        }
        int dataOffset = (u8(m, l4 + 12) >>> 4) << 2;
        if (dataOffset < TCP_MIN_HEADER || dataOffset > payload) {
            return Drops.BAD_L4_HEADER;
        }
        srcPort = u16(m, l4);
        dstPort = u16(m, l4 + 2);
        tcpFlags = u8(m, l4 + 13);
        return OK;
    }

    private int parseUdp(MemorySegment m, int payload) {
        if (payload < UDP_HEADER) {
            return fragment ? Drops.FRAGMENT_INVALID : Drops.TRUNCATED;
        }
        int length = u16(m, l4 + 4);
        // a first fragment holds only part of the datagram its length field counts
        if (length < UDP_HEADER || length > payload && !fragment) {
            return Drops.BAD_L4_HEADER;
        }
        srcPort = u16(m, l4);
        dstPort = u16(m, l4 + 2);
        if (!fragment) {
            // the UDP checksum and pseudo-header cover the UDP length, not bytes the IP payload adds after it
            l4Length = length;
        }
        return OK;
    }

    private int parseIcmp(MemorySegment m, int payload) {
        if (payload < ICMP_HEADER) {
            return fragment ? Drops.FRAGMENT_INVALID : Drops.TRUNCATED;
        }
        icmpType = u8(m, l4);
        icmpCode = u8(m, l4 + 1);
        switch (icmpType) {
            case 0, 8 :
                srcPort = u16(m, l4 + 4);
                dstPort = srcPort;
                return OK;
            case 3, 11, 12 :
                // an error is at most 576 bytes (RFC 1812 4.3.2.3): a fragmented one is not translated
                return fragment ? Drops.FRAGMENT : parseEmbedded(m, l4 + ICMP_HEADER, payload - ICMP_HEADER);
            default :
                return Drops.ICMP_UNSUPPORTED;
        }
    }

    private int parseEmbedded(MemorySegment m, long ip, int avail) {
        if (avail < IPV4_MIN_HEADER) {
            return Drops.TRUNCATED;
        }
        int versionIhl = u8(m, ip);
        int headerLength = (versionIhl & 0x0f) << 2;
        if (versionIhl >>> 4 != 4 || headerLength < IPV4_MIN_HEADER) {
            return Drops.BAD_L4_HEADER;
        }
        if (headerLength + QUOTED_L4_MIN > avail) {
            return Drops.TRUNCATED;
        }
        // a non-first fragment quotes payload bytes, not ports
        if ((u16(m, ip + 6) & 0x1fff) != 0) {
            return Drops.ICMP_UNSUPPORTED;
        }
        long inner4 = ip + headerLength;
        int quoted = avail - headerLength;
        int innerProtocol = u8(m, ip + 9);
        switch (innerProtocol) {
            case PROTO_TCP :
                innerSrcPort = u16(m, inner4);
                innerDstPort = u16(m, inner4 + 2);
                innerHasL4Checksum = quoted >= 18;
                break;
            case PROTO_UDP :
                innerSrcPort = u16(m, inner4);
                innerDstPort = u16(m, inner4 + 2);
                // quoted >= 8 holds, so the UDP checksum is always quoted; 0 means the sender sent none
                innerHasL4Checksum = u16(m, inner4 + 6) != 0;
                break;
            case PROTO_ICMP :
                innerIcmpType = u8(m, inner4);
                if (innerIcmpType != 0 && innerIcmpType != 8) {
                    // RFC 1122 3.2.2: no error about an ICMP error; nothing else is translatable
                    return Drops.ICMP_UNSUPPORTED;
                }
                innerSrcPort = u16(m, inner4 + 4);
                innerDstPort = innerSrcPort;
                innerHasL4Checksum = true;
                break;
            default :
                break;
        }
        icmpError = true;
        innerL3 = ip;
        innerL4 = inner4;
        innerIhl = headerLength;
        innerProto = innerProtocol;
        innerSrc = m.get(U32, ip + 12);
        innerDst = m.get(U32, ip + 16);
        innerL4Length = quoted;
        return OK;
    }

    /**
     * Rewrites the source address and, for TCP/UDP, the source port; for an ICMP echo, the identifier.
     * ICMP errors and other protocols get the address only and {@code port} is ignored.
     *
     * @param m the segment parsed
     * @param addr the new source address
     * @param port the new port or identifier, 0..65535
     */
    public void rewriteSource(MemorySegment m, int addr, int port) {
        int old = src;
        rewriteAddress(m, l3 + 12, old, addr);
        src = addr;
        rewriteL4(m, old, addr, 0, srcPort, port);
        if (proto == PROTO_TCP || proto == PROTO_UDP) {
            srcPort = port;
        } else if (proto == PROTO_ICMP && !icmpError) {
            srcPort = port;
            dstPort = port;
        }
    }

    /**
     * Rewrites the destination address and, for TCP/UDP, the destination port; for an ICMP echo, the
     * identifier. ICMP errors and other protocols get the address only and {@code port} is ignored.
     *
     * @param m the segment parsed
     * @param addr the new destination address
     * @param port the new port or identifier, 0..65535
     */
    public void rewriteDestination(MemorySegment m, int addr, int port) {
        int old = dst;
        rewriteAddress(m, l3 + 16, old, addr);
        dst = addr;
        rewriteL4(m, old, addr, 2, dstPort, port);
        if (proto == PROTO_TCP || proto == PROTO_UDP) {
            dstPort = port;
        } else if (proto == PROTO_ICMP && !icmpError) {
            srcPort = port;
            dstPort = port;
        }
    }

    /**
     * Rewrites the source and destination addresses of a non-first fragment, which has no L4 header: the IPv4
     * header checksum follows; the L4 checksum, which covers the addresses, travels in the first fragment and was
     * adjusted there.
     *
     * @param m the segment parsed
     * @param newSrc the new source address
     * @param newDst the new destination address
     */
    public void rewriteAddresses(MemorySegment m, int newSrc, int newDst) {
        if (src != newSrc) {
            rewriteAddress(m, l3 + 12, src, newSrc);
            src = newSrc;
        }
        if (dst != newDst) {
            rewriteAddress(m, l3 + 16, dst, newDst);
            dst = newDst;
        }
    }

    private void rewriteAddress(MemorySegment m, long at, int old, int addr) {
        m.set(U32, at, addr);
        long sumAt = l3 + 10;
        m.set(U16, sumAt, (short) Checksum.adjust32(u16(m, sumAt), old, addr));
    }

    /** Ports and L4 checksum after an address change; portAt is 0 (source) or 2 (destination). */
    private void rewriteL4(MemorySegment m, int oldAddr, int addr, int portAt, int oldPort, int port) {
        switch (proto) {
            case PROTO_TCP : {
                long sumAt = l4 + 16;
                int sum = Checksum.adjust32(u16(m, sumAt), oldAddr, addr);
                m.set(U16, sumAt, (short) Checksum.adjust16(sum, oldPort, port));
                m.set(U16, l4 + portAt, (short) port);
                break;
            }
            case PROTO_UDP : {
                long sumAt = l4 + 6;
                int sum = u16(m, sumAt);
                if (sum != 0) {
                    sum = Checksum.adjust16(Checksum.adjust32(sum, oldAddr, addr), oldPort, port);
                    // RFC 768: a computed 0 is sent as all ones, 0 means "no checksum"
                    m.set(U16, sumAt, (short) (sum == 0 ? 0xffff : sum));
                }
                m.set(U16, l4 + portAt, (short) port);
                break;
            }
            case PROTO_ICMP :
                // no pseudo-header: only the echo identifier is covered; errors keep theirs
                if (!icmpError) {
                    long sumAt = l4 + 2;
                    m.set(U16, sumAt, (short) Checksum.adjust16(u16(m, sumAt), oldPort, port));
                    m.set(U16, l4 + 4, (short) port);
                }
                break;
            default :
                // address only. Protocols whose checksum covers a pseudo-header with the addresses (DCCP 33,
                // UDP-Lite 136) are left with a stale checksum: the translator refuses or passes them by its
                // other-protocol policy and does not parse their headers. GRE, ESP and SCTP have none.
                break;
        }
    }

    /**
     * For an ICMP error, rewrites the embedded packet's source address, its header checksum, its source
     * port or echo identifier and, when quoted, its L4 checksum, and adjusts the outer ICMP checksum for
     * every word changed (RFC 5508 section 4). The outer IP header is left to {@link #rewriteSource} and
     * {@link #rewriteDestination}. {@code port} is ignored for embedded protocols other than TCP, UDP and
     * ICMP echo.
     *
     * @param m the segment parsed
     * @param addr the new embedded source address
     * @param port the new embedded source port or identifier
     */
    public void rewriteInnerSource(MemorySegment m, int addr, int port) {
        int old = innerSrc;
        rewriteInner(m, innerL3 + 12, old, addr, 0, innerSrcPort, port);
        innerSrc = addr;
        if (innerProto == PROTO_TCP || innerProto == PROTO_UDP) {
            innerSrcPort = port;
        } else if (innerProto == PROTO_ICMP) {
            innerSrcPort = port;
            innerDstPort = port;
        }
    }

    /**
     * For an ICMP error, rewrites the embedded packet's destination address and port or echo identifier,
     * as {@link #rewriteInnerSource} does for the source.
     *
     * @param m the segment parsed
     * @param addr the new embedded destination address
     * @param port the new embedded destination port or identifier
     */
    public void rewriteInnerDestination(MemorySegment m, int addr, int port) {
        int old = innerDst;
        rewriteInner(m, innerL3 + 16, old, addr, 2, innerDstPort, port);
        innerDst = addr;
        if (innerProto == PROTO_TCP || innerProto == PROTO_UDP) {
            innerDstPort = port;
        } else if (innerProto == PROTO_ICMP) {
            innerSrcPort = port;
            innerDstPort = port;
        }
    }

    private void rewriteInner(MemorySegment m, long addrAt, int oldAddr, int addr, int portAt, int oldPort,
            int port) {
        // every word of the ICMP payload that changes goes into the outer checksum, which has no pseudo-header
        long outerAt = l4 + 2;
        int outer = Checksum.adjust32(u16(m, outerAt), oldAddr, addr);
        m.set(U32, addrAt, addr);
        long ipSumAt = innerL3 + 10;
        int oldIpSum = u16(m, ipSumAt);
        int ipSum = Checksum.adjust32(oldIpSum, oldAddr, addr);
        m.set(U16, ipSumAt, (short) ipSum);
        outer = Checksum.adjust16(outer, oldIpSum, ipSum);
        switch (innerProto) {
            case PROTO_TCP :
                outer = innerPortAndSum(m, outer, innerL4 + portAt, oldPort, port, innerL4 + 16, oldAddr, addr, true,
                        false);
                break;
            case PROTO_UDP :
                outer = innerPortAndSum(m, outer, innerL4 + portAt, oldPort, port, innerL4 + 6, oldAddr, addr, true,
                        true);
                break;
            case PROTO_ICMP :
                // the echo identifier stands for both ports; the inner ICMP checksum has no pseudo-header
                outer = innerPortAndSum(m, outer, innerL4 + 4, oldPort, port, innerL4 + 2, oldAddr, addr, false, false);
                break;
            default :
                break;
        }
        m.set(U16, outerAt, (short) outer);
    }

    private int innerPortAndSum(MemorySegment m, int outer, long portAt, int oldPort, int port, long sumAt,
            int oldAddr, int addr, boolean pseudoHeader, boolean udp) {
        m.set(U16, portAt, (short) port);
        outer = Checksum.adjust16(outer, oldPort, port);
        if (innerHasL4Checksum) {
            int oldSum = u16(m, sumAt);
            int sum = pseudoHeader ? Checksum.adjust32(oldSum, oldAddr, addr) : oldSum;
            sum = Checksum.adjust16(sum, oldPort, port);
            if (udp && sum == 0) {
                sum = 0xffff;
            }
            m.set(U16, sumAt, (short) sum);
            outer = Checksum.adjust16(outer, oldSum, sum);
        }
        return outer;
    }

    private void clear() {
        l3 = 0;
        l4 = 0;
        ihl = 0;
        totalLength = 0;
        l4Length = 0;
        proto = 0;
        ttl = 0;
        src = 0;
        dst = 0;
        srcPort = 0;
        dstPort = 0;
        tcpFlags = 0;
        icmpType = 0;
        icmpCode = 0;
        icmpError = false;
        innerL3 = 0;
        innerL4 = 0;
        innerIhl = 0;
        innerProto = 0;
        innerSrc = 0;
        innerDst = 0;
        innerSrcPort = 0;
        innerDstPort = 0;
        innerIcmpType = 0;
        innerL4Length = 0;
        innerHasL4Checksum = false;
        fragment = false;
        moreFragments = false;
        fragmentOffset = 0;
        ipId = 0;
    }

    private static int u8(MemorySegment m, long at) {
        return m.get(ValueLayout.JAVA_BYTE, at) & 0xff;
    }

    private static int u16(MemorySegment m, long at) {
        return m.get(U16, at) & 0xffff;
    }
}
