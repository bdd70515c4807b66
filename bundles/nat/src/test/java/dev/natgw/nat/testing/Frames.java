package dev.natgw.nat.testing;

import dev.natgw.api.nat.Ipv4;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Builds Ethernet/IPv4 frames for tests and benchmarks: TCP, UDP, ICMP echo, ICMP errors quoting another
 * frame, and any other protocol, with VLAN tags, IP options, fragments, Ethernet padding and wrong
 * checksums on demand.
 *
 * <p>
 * Its checksums come from its own plain byte-array one's-complement sum ({@link #internetChecksum}), over
 * a copy of the pseudo-header and segment, and share no code with the translator's {@code Checksum}: it
 * is the independent computation tests compare the translator against. Every frame is a fresh
 * {@code byte[]}; {@link Builder#segment()} wraps it in a heap segment. Not thread-safe.
 */
public final class Frames {

    /** TCP flag bits. */
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;
    /** IP protocol numbers. */
    public static final int ICMP = 1, TCP = 6, UDP = 17, GRE = 47;
    /** ICMP types. */
    public static final int ECHO_REPLY = 0, DEST_UNREACHABLE = 3, ECHO_REQUEST = 8, TIME_EXCEEDED = 11,
            PARAMETER_PROBLEM = 12;

    static final int ETH = 14;

    private Frames() {
    }

    /**
     * Parses a dotted quad.
     *
     * @param dotted such as {@code "10.0.0.1"}
     * @return the address, network order
     */
    public static int ip(String dotted) {
        return Ipv4.parse(dotted);
    }

    /**
     * Starts a TCP frame (flags ACK, seq 1, ack 1, window 65535, no payload unless set).
     *
     * @param src source address
     * @param srcPort source port
     * @param dst destination address
     * @param dstPort destination port
     * @return the builder
     */
    public static Builder tcp(int src, int srcPort, int dst, int dstPort) {
        Builder b = new Builder(TCP, src, dst);
        b.srcPort = srcPort;
        b.dstPort = dstPort;
        return b;
    }

    /**
     * Starts a UDP frame (no payload unless set, checksum computed unless {@link Builder#zeroChecksum()}).
     *
     * @param src source address
     * @param srcPort source port
     * @param dst destination address
     * @param dstPort destination port
     * @return the builder
     */
    public static Builder udp(int src, int srcPort, int dst, int dstPort) {
        Builder b = new Builder(UDP, src, dst);
        b.srcPort = srcPort;
        b.dstPort = dstPort;
        return b;
    }

    /**
     * Starts an ICMP echo request (type 8).
     *
     * @param src source address
     * @param dst destination address
     * @param id the identifier
     * @param seq the sequence number
     * @return the builder
     */
    public static Builder echoRequest(int src, int dst, int id, int seq) {
        return echo(ECHO_REQUEST, src, dst, id, seq);
    }

    /**
     * Starts an ICMP echo reply (type 0).
     *
     * @param src source address
     * @param dst destination address
     * @param id the identifier
     * @param seq the sequence number
     * @return the builder
     */
    public static Builder echoReply(int src, int dst, int id, int seq) {
        return echo(ECHO_REPLY, src, dst, id, seq);
    }

    private static Builder echo(int type, int src, int dst, int id, int seq) {
        Builder b = new Builder(ICMP, src, dst);
        b.icmpType = type;
        b.icmpRest = (id & 0xffff) << 16 | (seq & 0xffff);
        return b;
    }

    /**
     * Starts an ICMP message of any type whose 4 bytes after the checksum are 0; set them with
     * {@link Builder#icmpRest(int)}.
     *
     * @param src source address
     * @param dst destination address
     * @param type the ICMP type
     * @param code the ICMP code
     * @return the builder
     */
    public static Builder icmp(int src, int dst, int type, int code) {
        Builder b = new Builder(ICMP, src, dst);
        b.icmpType = type;
        b.icmpCode = code;
        return b;
    }

    /**
     * Starts an ICMP error quoting {@code innerFrame}'s IPv4 header and the first 8 bytes after it (change
     * with {@link Builder#quote(int)}).
     *
     * @param src source address (the router or host reporting)
     * @param dst destination address
     * @param type 3, 11 or 12 (any type is accepted, for negative tests)
     * @param code the code
     * @param innerFrame an Ethernet frame, such as one from this class; its L2 header is not quoted
     * @return the builder
     */
    public static Builder icmpError(int src, int dst, int type, int code, byte[] innerFrame) {
        Builder b = icmp(src, dst, type, code);
        b.inner = innerFrame.clone();
        return b;
    }

    /**
     * Starts a frame of any IP protocol whose L4 bytes are the payload, untouched, even for TCP, UDP or ICMP
     * (to build malformed ones).
     *
     * @param src source address
     * @param dst destination address
     * @param proto the IP protocol number
     * @return the builder
     */
    public static Builder other(int src, int dst, int proto) {
        Builder b = new Builder(proto, src, dst);
        b.raw = true;
        return b;
    }

    /**
     * The Internet checksum (RFC 1071) of bytes, written as plainly as possible: 16-bit big-endian words, a
     * trailing odd byte as the high byte of a word, end-around carry, complement.
     *
     * @param b the bytes
     * @param off where to start
     * @param len how many
     * @return the checksum field value, 0..0xffff
     */
    public static int internetChecksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            sum += hi << 8 | lo;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /**
     * The TCP/UDP checksum of a segment under the IPv4 pseudo-header: the sum over a copy of the
     * pseudo-header followed by the segment.
     *
     * @param src source address
     * @param dst destination address
     * @param proto the protocol
     * @param b the bytes holding the segment
     * @param off where the segment starts
     * @param len its length, also the pseudo-header's length field
     * @return the checksum field value, 0..0xffff
     */
    public static int pseudoChecksum(int src, int dst, int proto, byte[] b, int off, int len) {
        byte[] copy = new byte[12 + len];
        putInt(copy, 0, src);
        putInt(copy, 4, dst);
        copy[9] = (byte) proto;
        putShort(copy, 10, len);
        System.arraycopy(b, off, copy, 12, len);
        return internetChecksum(copy, 0, copy.length);
    }

    /**
     * Recomputes a frame's IPv4 header checksum in place, after a test changed header bytes.
     *
     * @param frame an Ethernet frame whose IPv4 header is complete
     * @return the same array
     */
    public static byte[] refreshIpChecksum(byte[] frame) {
        int l3 = l3Offset(frame);
        int ihl = (frame[l3] & 0x0f) * 4;
        putShort(frame, l3 + 10, 0);
        putShort(frame, l3 + 10, internetChecksum(frame, l3, ihl));
        return frame;
    }

    static int l3Offset(byte[] frame) {
        return getShort(frame, 12) == 0x8100 ? ETH + 4 : ETH;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static int getShort(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    static int getInt(byte[] b, int at) {
        return getShort(b, at) << 16 | getShort(b, at + 2);
    }

    /** One frame being described; {@link #build()} may be called more than once. */
    public static final class Builder {
        private final int proto;
        private int src;
        private int dst;
        private int srcPort;
        private int dstPort;
        private int tcpFlags = ACK;
        private int seq = 1;
        private int ack = 1;
        private int window = 65535;
        private int icmpType;
        private int icmpCode;
        private int icmpRest;
        private byte[] inner;
        private int quote = 8;
        private byte[] payload = new byte[0];
        private boolean zeroChecksum;
        private int vlan = -1;
        private int ttl = 64;
        private int identification = 0x1234;
        private boolean dontFragment = true;
        private boolean moreFragments;
        private int fragmentOffset;
        private byte[] ipOptions = new byte[0];
        private boolean raw;
        private boolean badIpChecksum;
        private boolean badL4Checksum;
        private int padding;
        private int totalLength = -1;
        private int tcpDataOffset = -1;
        private int udpLength = -1;

        private Builder(int proto, int src, int dst) {
            this.proto = proto;
            this.src = src;
            this.dst = dst;
        }

        /** @return this, with the TCP flags byte (see {@link Frames#SYN} etc.) */
        public Builder flags(int flags) {
            this.tcpFlags = flags;
            return this;
        }

        /** @return this, with the TCP sequence number */
        public Builder seq(int seq) {
            this.seq = seq;
            return this;
        }

        /** @return this, with the TCP acknowledgment number */
        public Builder ack(int ack) {
            this.ack = ack;
            return this;
        }

        /** @return this, with the payload after the L4 header (the whole L4 for {@link Frames#other}) */
        public Builder payload(byte[] payload) {
            this.payload = payload.clone();
            return this;
        }

        /** @return this, for UDP: checksum field 0, "no checksum" */
        public Builder zeroChecksum() {
            this.zeroChecksum = true;
            return this;
        }

        /** @return this, for ICMP: the 4 bytes after the checksum (echo: id and seq; errors: unused/MTU) */
        public Builder icmpRest(int rest) {
            this.icmpRest = rest;
            return this;
        }

        /** @return this, for an ICMP error: quote this many bytes after the inner IP header (capped at what there is) */
        public Builder quote(int l4Bytes) {
            this.quote = l4Bytes;
            return this;
        }

        /** @return this, with one 802.1Q tag carrying this VLAN id */
        public Builder vlan(int vlanId) {
            this.vlan = vlanId;
            return this;
        }

        /** @return this, with the TTL */
        public Builder ttl(int ttl) {
            this.ttl = ttl;
            return this;
        }

        /** @return this, with the IP identification */
        public Builder identification(int id) {
            this.identification = id;
            return this;
        }

        /** @return this, with IP options, padded with zero (end of list) to a multiple of 4 bytes */
        public Builder ipOptions(byte[] options) {
            this.ipOptions = Arrays.copyOf(options, (options.length + 3) & ~3);
            return this;
        }

        /** @return this, as a fragment: MF flag and offset in 8-byte units; DF is cleared */
        public Builder fragment(boolean more, int offset) {
            this.moreFragments = more;
            this.fragmentOffset = offset;
            this.dontFragment = false;
            return this;
        }

        /** @return this, with the IP header checksum off by one */
        public Builder badIpChecksum() {
            this.badIpChecksum = true;
            return this;
        }

        /** @return this, with the TCP/UDP/ICMP checksum off by one */
        public Builder badL4Checksum() {
            this.badL4Checksum = true;
            return this;
        }

        /** @return this, with that many zero bytes after the IP packet, as Ethernet padding */
        public Builder padding(int bytes) {
            this.padding = bytes;
            return this;
        }

        /** @return this, with the IP total length field forced (the frame keeps its real size) */
        public Builder totalLength(int length) {
            this.totalLength = length;
            return this;
        }

        /** @return this, with the TCP data offset field forced, in 32-bit words */
        public Builder tcpDataOffset(int words) {
            this.tcpDataOffset = words;
            return this;
        }

        /** @return this, with the UDP length field forced */
        public Builder udpLength(int length) {
            this.udpLength = length;
            return this;
        }

        /** @return the frame in a new heap segment */
        public MemorySegment segment() {
            return MemorySegment.ofArray(build());
        }

        /** @return the frame, a new array */
        public byte[] build() {
            byte[] l4 = l4Bytes();
            int ihl = 20 + ipOptions.length;
            int l2 = vlan >= 0 ? ETH + 4 : ETH;
            int total = ihl + l4.length;
            byte[] f = new byte[l2 + total + padding];
            for (int i = 0; i < 6; i++) {
                f[i] = (byte) (0x02 + i);
                f[6 + i] = (byte) (0x12 + i);
            }
            if (vlan >= 0) {
                putShort(f, 12, 0x8100);
                putShort(f, 14, vlan & 0x0fff);
            }
            putShort(f, l2 - 2, 0x0800);
            f[l2] = (byte) (0x40 | ihl / 4);
            putShort(f, l2 + 2, totalLength >= 0 ? totalLength : total);
            putShort(f, l2 + 4, identification);
            putShort(f, l2 + 6, (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffset & 0x1fff);
            f[l2 + 8] = (byte) ttl;
            f[l2 + 9] = (byte) proto;
            putInt(f, l2 + 12, src);
            putInt(f, l2 + 16, dst);
            System.arraycopy(ipOptions, 0, f, l2 + 20, ipOptions.length);
            putShort(f, l2 + 10, internetChecksum(f, l2, ihl) ^ (badIpChecksum ? 1 : 0));
            System.arraycopy(l4, 0, f, l2 + ihl, l4.length);
            return f;
        }

        private byte[] l4Bytes() {
            byte[] b;
            if (raw) {
                return payload.clone();
            }
            switch (proto) {
                case TCP : {
                    int header = 20;
                    b = new byte[header + payload.length];
                    putShort(b, 0, srcPort);
                    putShort(b, 2, dstPort);
                    putInt(b, 4, seq);
                    putInt(b, 8, ack);
                    b[12] = (byte) ((tcpDataOffset >= 0 ? tcpDataOffset : header / 4) << 4);
                    b[13] = (byte) tcpFlags;
                    putShort(b, 14, window);
                    System.arraycopy(payload, 0, b, header, payload.length);
                    putShort(b, 16, pseudoChecksum(src, dst, TCP, b, 0, b.length) ^ (badL4Checksum ? 1 : 0));
                    return b;
                }
                case UDP : {
                    b = new byte[8 + payload.length];
                    putShort(b, 0, srcPort);
                    putShort(b, 2, dstPort);
                    putShort(b, 4, udpLength >= 0 ? udpLength : b.length);
                    System.arraycopy(payload, 0, b, 8, payload.length);
                    if (!zeroChecksum) {
                        // a forced shorter length leaves the bytes after it outside the checksum, as on the wire
                        int covered = udpLength >= 8 && udpLength <= b.length ? udpLength : b.length;
                        int sum = pseudoChecksum(src, dst, UDP, b, 0, covered);
                        putShort(b, 6, (sum == 0 ? 0xffff : sum) ^ (badL4Checksum ? 1 : 0));
                    }
                    return b;
                }
                case ICMP : {
                    byte[] body = inner == null ? payload : quoted();
                    b = new byte[8 + body.length];
                    b[0] = (byte) icmpType;
                    b[1] = (byte) icmpCode;
                    putInt(b, 4, icmpRest);
                    System.arraycopy(body, 0, b, 8, body.length);
                    putShort(b, 2, internetChecksum(b, 0, b.length) ^ (badL4Checksum ? 1 : 0));
                    return b;
                }
                default :
                    return payload.clone();
            }
        }

        private byte[] quoted() {
            int l3 = l3Offset(inner);
            int ihl = (inner[l3] & 0x0f) * 4;
            int length = Math.min(ihl + Math.max(quote, 0), inner.length - l3);
            return Arrays.copyOfRange(inner, l3, l3 + length);
        }
    }
}
