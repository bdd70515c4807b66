package dev.natgw.nat.fastpath;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.nat.handover.Drops;
import dev.natgw.nat.testing.Frames;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketParseTest {

    private static final int IN = ip("10.0.0.5");
    private static final int OUT = ip("203.0.113.9");
    private static final int ROUTER = ip("192.0.2.1");

    private final Packet p = new Packet();

    private int parse(byte[] frame) {
        return p.parse(MemorySegment.ofArray(frame), 0, frame.length);
    }

    @Test
    void parsesTcp() {
        byte[] f = Frames.tcp(IN, 40000, OUT, 443).flags(Frames.SYN).payload(new byte[5]).ttl(17).build();
        assertThat(parse(f)).isEqualTo(Packet.OK);
        assertThat(p.l3).isEqualTo(14);
        assertThat(p.l4).isEqualTo(34);
        assertThat(p.ihl).isEqualTo(20);
        assertThat(p.totalLength).isEqualTo(45);
        assertThat(p.l4Length).isEqualTo(25);
        assertThat(p.proto).isEqualTo(6);
        assertThat(p.ttl).isEqualTo(17);
        assertThat(p.src).isEqualTo(IN);
        assertThat(p.dst).isEqualTo(OUT);
        assertThat(p.srcPort).isEqualTo(40000);
        assertThat(p.dstPort).isEqualTo(443);
        assertThat(p.tcpFlags).isEqualTo(Frames.SYN);
        assertThat(p.icmpError).isFalse();
    }

    @Test
    void parsesUdp() {
        byte[] f = Frames.udp(IN, 5353, OUT, 53).payload(new byte[3]).build();
        assertThat(parse(f)).isEqualTo(Packet.OK);
        assertThat(p.proto).isEqualTo(17);
        assertThat(p.srcPort).isEqualTo(5353);
        assertThat(p.dstPort).isEqualTo(53);
        assertThat(p.l4Length).isEqualTo(11);
        assertThat(p.tcpFlags).isZero();
    }

    @Test
    void udpL4LengthIsTheUdpLengthField() {
        byte[] f = Frames.udp(IN, 5353, OUT, 53).payload(new byte[10]).udpLength(12).build();
        assertThat(parse(f)).isEqualTo(Packet.OK);
        assertThat(p.l4Length).isEqualTo(12);
        assertThat(p.totalLength).isEqualTo(38);
    }

    @Test
    void parsesEchoIdentifierIntoBothPorts() {
        assertThat(parse(Frames.echoRequest(IN, OUT, 0xbeef, 3).payload(new byte[32]).build())).isEqualTo(Packet.OK);
        assertThat(p.proto).isEqualTo(1);
        assertThat(p.icmpType).isEqualTo(8);
        assertThat(p.srcPort).isEqualTo(0xbeef);
        assertThat(p.dstPort).isEqualTo(0xbeef);
        assertThat(p.icmpError).isFalse();
        assertThat(parse(Frames.echoReply(OUT, IN, 77, 3).build())).isEqualTo(Packet.OK);
        assertThat(p.icmpType).isZero();
        assertThat(p.srcPort).isEqualTo(77);
        assertThat(p.dstPort).isEqualTo(77);
    }

    @Test
    void parsesIcmpErrorQuotingTcp() {
        byte[] inner = Frames.tcp(OUT, 1025, ip("8.8.8.8"), 80).payload(new byte[100]).build();
        byte[] f = Frames.icmpError(ROUTER, OUT, Frames.DEST_UNREACHABLE, 4, inner).quote(8).build();
        assertThat(parse(f)).isEqualTo(Packet.OK);
        assertThat(p.icmpError).isTrue();
        assertThat(p.icmpType).isEqualTo(3);
        assertThat(p.icmpCode).isEqualTo(4);
        assertThat(p.srcPort).isZero();
        assertThat(p.innerL3).isEqualTo(14 + 20 + 8);
        assertThat(p.innerL4).isEqualTo(14 + 20 + 8 + 20);
        assertThat(p.innerIhl).isEqualTo(20);
        assertThat(p.innerProto).isEqualTo(6);
        assertThat(p.innerSrc).isEqualTo(OUT);
        assertThat(p.innerDst).isEqualTo(ip("8.8.8.8"));
        assertThat(p.innerSrcPort).isEqualTo(1025);
        assertThat(p.innerDstPort).isEqualTo(80);
        assertThat(p.innerL4Length).isEqualTo(8);
        // the TCP checksum is at bytes 16..17, beyond the 8 quoted
        assertThat(p.innerHasL4Checksum).isFalse();

        f = Frames.icmpError(ROUTER, OUT, Frames.TIME_EXCEEDED, 0, inner).quote(18).build();
        assertThat(parse(f)).isEqualTo(Packet.OK);
        assertThat(p.innerHasL4Checksum).isTrue();
        f = Frames.icmpError(ROUTER, OUT, Frames.TIME_EXCEEDED, 0, inner).quote(17).build();
        assertThat(parse(f)).isEqualTo(Packet.OK);
        assertThat(p.innerHasL4Checksum).isFalse();
    }

    @Test
    void parsesIcmpErrorQuotingUdp() {
        byte[] inner = Frames.udp(OUT, 1025, ip("8.8.8.8"), 53).payload(new byte[30]).build();
        assertThat(parse(Frames.icmpError(ROUTER, OUT, Frames.PARAMETER_PROBLEM, 0, inner).build()))
                .isEqualTo(Packet.OK);
        assertThat(p.icmpError).isTrue();
        assertThat(p.innerProto).isEqualTo(17);
        assertThat(p.innerSrcPort).isEqualTo(1025);
        assertThat(p.innerDstPort).isEqualTo(53);
        assertThat(p.innerHasL4Checksum).isTrue();

        byte[] noSum = Frames.udp(OUT, 1025, ip("8.8.8.8"), 53).zeroChecksum().build();
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 3, 3, noSum).build())).isEqualTo(Packet.OK);
        assertThat(p.innerHasL4Checksum).isFalse();
    }

    @Test
    void parsesIcmpErrorQuotingEchoAndOtherProtocols() {
        byte[] echo = Frames.echoRequest(OUT, ip("8.8.8.8"), 0x4242, 1).build();
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 11, 0, echo).build())).isEqualTo(Packet.OK);
        assertThat(p.innerProto).isEqualTo(1);
        assertThat(p.innerIcmpType).isEqualTo(8);
        assertThat(p.innerSrcPort).isEqualTo(0x4242);
        assertThat(p.innerDstPort).isEqualTo(0x4242);
        assertThat(p.innerHasL4Checksum).isTrue();

        byte[] gre = Frames.other(OUT, ip("8.8.8.8"), Frames.GRE).payload(new byte[12]).build();
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 3, 1, gre).build())).isEqualTo(Packet.OK);
        assertThat(p.innerProto).isEqualTo(47);
        assertThat(p.innerSrcPort).isZero();
        assertThat(p.innerHasL4Checksum).isFalse();
    }

    @Test
    void parsesOtherProtocolsWithoutPorts() {
        assertThat(parse(Frames.other(IN, OUT, Frames.GRE).payload(new byte[]{0, 0, 8, 0}).build()))
                .isEqualTo(Packet.OK);
        assertThat(p.proto).isEqualTo(47);
        assertThat(p.srcPort).isZero();
        assertThat(p.dstPort).isZero();
        assertThat(p.l4Length).isEqualTo(4);
        assertThat(parse(Frames.other(IN, OUT, 50).build())).isEqualTo(Packet.OK);
        assertThat(p.l4Length).isZero();
    }

    @Test
    void skipsIpOptions() {
        byte[] f = Frames.udp(IN, 1, OUT, 2).ipOptions(new byte[]{(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}).build();
        assertThat(parse(f)).isEqualTo(Packet.OK);
        assertThat(p.ihl).isEqualTo(28);
        assertThat(p.l4).isEqualTo(14 + 28);
        assertThat(p.srcPort).isEqualTo(1);
        assertThat(p.dstPort).isEqualTo(2);
    }

    @Test
    void skipsOneVlanTag() {
        byte[] f = Frames.tcp(IN, 1, OUT, 2).vlan(100).build();
        assertThat(parse(f)).isEqualTo(Packet.OK);
        assertThat(p.l3).isEqualTo(18);
        assertThat(p.srcPort).isEqualTo(1);
    }

    @Test
    void refusesStackedVlansAndOtherEthertypes() {
        byte[] f = Frames.tcp(IN, 1, OUT, 2).vlan(100).build();
        byte[] qinq = new byte[f.length + 4];
        System.arraycopy(f, 0, qinq, 0, 16);
        qinq[16] = (byte) 0x81;
        qinq[17] = 0;
        System.arraycopy(f, 14, qinq, 18, f.length - 14);
        assertThat(parse(qinq)).isEqualTo(Packet.NOT_IPV4);

        byte[] arp = Frames.tcp(IN, 1, OUT, 2).build();
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertThat(parse(arp)).isEqualTo(Packet.NOT_IPV4);
        byte[] v6 = Frames.tcp(IN, 1, OUT, 2).build();
        v6[12] = (byte) 0x86;
        v6[13] = (byte) 0xdd;
        assertThat(parse(v6)).isEqualTo(Packet.NOT_IPV4);
    }

    @Test
    void acceptsEthernetPaddingAfterThePacket() {
        byte[] f = Frames.udp(IN, 1, OUT, 2).padding(18).build();
        assertThat(parse(f)).isEqualTo(Packet.OK);
        assertThat(p.totalLength).isEqualTo(28);
        assertThat(p.l4Length).isEqualTo(8);
    }

    @Test
    void parsesAFrameAtAnOffsetInALargerSegment() {
        byte[] f = Frames.tcp(IN, 1, OUT, 2).build();
        byte[] buffer = new byte[f.length + 200];
        Arrays.fill(buffer, (byte) 0xff);
        System.arraycopy(f, 0, buffer, 128, f.length);
        assertThat(p.parse(MemorySegment.ofArray(buffer), 128, f.length)).isEqualTo(Packet.OK);
        assertThat(p.l3).isEqualTo(128 + 14);
        assertThat(p.dstPort).isEqualTo(2);
    }

    @Test
    void truncated() {
        byte[] f = Frames.tcp(IN, 1, OUT, 2).payload(new byte[10]).build();
        assertThat(p.parse(MemorySegment.ofArray(f), 0, 13)).isEqualTo(Drops.TRUNCATED);
        assertThat(p.parse(MemorySegment.ofArray(f), 0, 33)).isEqualTo(Drops.TRUNCATED);
        // total length says 60, the frame holds 59 bytes of it
        assertThat(p.parse(MemorySegment.ofArray(f), 0, f.length - 1)).isEqualTo(Drops.TRUNCATED);
        byte[] vlan = Frames.tcp(IN, 1, OUT, 2).vlan(5).build();
        assertThat(p.parse(MemorySegment.ofArray(vlan), 0, 17)).isEqualTo(Drops.TRUNCATED);
        // options announced by the IHL but cut off by the frame
        byte[] options = Frames.tcp(IN, 1, OUT, 2).ipOptions(new byte[8]).build();
        assertThat(p.parse(MemorySegment.ofArray(options), 0, 14 + 24)).isEqualTo(Drops.TRUNCATED);
        // the IP packet itself is shorter than the L4 header
        assertThat(parse(Frames.other(IN, OUT, 6).payload(new byte[19]).build())).isEqualTo(Drops.TRUNCATED);
        assertThat(parse(Frames.other(IN, OUT, 17).payload(new byte[7]).build())).isEqualTo(Drops.TRUNCATED);
        assertThat(parse(Frames.other(IN, OUT, 1).payload(new byte[7]).build())).isEqualTo(Drops.TRUNCATED);
        // a frame beyond the segment, or a negative length, is refused rather than read
        assertThat(p.parse(MemorySegment.ofArray(f), 10, f.length)).isEqualTo(Drops.TRUNCATED);
        assertThat(p.parse(MemorySegment.ofArray(f), 0, -1)).isEqualTo(Drops.TRUNCATED);
        assertThat(p.parse(MemorySegment.ofArray(f), -1, 20)).isEqualTo(Drops.TRUNCATED);
    }

    @Test
    void badIpHeader() {
        byte[] v6InV4 = Frames.tcp(IN, 1, OUT, 2).build();
        v6InV4[14] = 0x65;
        assertThat(parse(Frames.refreshIpChecksum(v6InV4))).isEqualTo(Drops.BAD_IP_HEADER);
        byte[] shortIhl = Frames.tcp(IN, 1, OUT, 2).build();
        shortIhl[14] = 0x44;
        assertThat(parse(shortIhl)).isEqualTo(Drops.BAD_IP_HEADER);
        assertThat(parse(Frames.tcp(IN, 1, OUT, 2).totalLength(19).build())).isEqualTo(Drops.BAD_IP_HEADER);
        assertThat(parse(Frames.tcp(IN, 1, OUT, 2).totalLength(41).build())).isEqualTo(Drops.TRUNCATED);
    }

    @Test
    void badIpChecksum() {
        assertThat(parse(Frames.tcp(IN, 1, OUT, 2).badIpChecksum().build())).isEqualTo(Drops.BAD_IP_CHECKSUM);
        assertThat(parse(Frames.udp(IN, 1, OUT, 2).ipOptions(new byte[4]).badIpChecksum().build()))
                .isEqualTo(Drops.BAD_IP_CHECKSUM);
    }

    @Test
    void fragments() {
        // a first fragment: its ports are parsed; a UDP length beyond what it holds is the whole datagram's
        byte[] first = Frames.udp(IN, 1, OUT, 2).payload(new byte[40]).identification(0x4242).fragment(true, 0)
                .build();
        first[14 + 2] = 0;
        first[14 + 3] = 20 + 24; // the first 24 bytes of a 48-byte UDP datagram
        assertThat(parse(Frames.refreshIpChecksum(java.util.Arrays.copyOf(first, 14 + 44)))).isEqualTo(Packet.OK);
        assertThat(p.fragment).isTrue();
        assertThat(p.moreFragments).isTrue();
        assertThat(p.fragmentOffset).isZero();
        assertThat(p.ipId).isEqualTo(0x4242);
        assertThat(p.srcPort).isEqualTo(1);
        assertThat(p.dstPort).isEqualTo(2);
        assertThat(p.l4Length).isEqualTo(24);
        // a later fragment: no L4 fields, offset in bytes
        assertThat(parse(Frames.udp(IN, 1, OUT, 2).fragment(false, 185).build())).isEqualTo(Packet.OK);
        assertThat(p.fragmentOffset).isEqualTo(185 * 8);
        assertThat(p.moreFragments).isFalse();
        assertThat(p.srcPort).isZero();
        assertThat(p.proto).isEqualTo(Frames.UDP);
        // a non-last fragment must carry a multiple of 8 bytes (UDP header 8 + 4 here)
        assertThat(parse(Frames.udp(IN, 1, OUT, 2).payload(new byte[4]).fragment(true, 1).build()))
                .isEqualTo(Drops.FRAGMENT_INVALID);
        // nothing may end beyond 65,535 bytes
        assertThat(parse(Frames.udp(IN, 1, OUT, 2).payload(new byte[16]).fragment(false, 8189).build()))
                .isEqualTo(Drops.FRAGMENT_INVALID);
        // RFC 1858: a first fragment must hold the whole TCP header
        byte[] tcp = Frames.tcp(IN, 1, OUT, 2).payload(new byte[8]).fragment(true, 0).build();
        tcp[14 + 3] = 20 + 16;
        assertThat(parse(Frames.refreshIpChecksum(java.util.Arrays.copyOf(tcp, 14 + 36))))
                .isEqualTo(Drops.FRAGMENT_INVALID);
        // an ICMP error is never translated in fragments
        byte[] quoted = Frames.udp(OUT, 1, IN, 2).payload(new byte[8]).build();
        assertThat(parse(Frames.icmpError(IN, OUT, 3, 3, quoted).quote(12).fragment(true, 0).build()))
                .isEqualTo(Drops.FRAGMENT);
        // DF alone, or no flags at all, is a whole packet
        assertThat(parse(Frames.udp(IN, 1, OUT, 2).fragment(false, 0).build())).isEqualTo(Packet.OK);
        assertThat(p.fragment).isFalse();
    }

    @Test
    void badL4Header() {
        assertThat(parse(Frames.tcp(IN, 1, OUT, 2).tcpDataOffset(4).build())).isEqualTo(Drops.BAD_L4_HEADER);
        assertThat(parse(Frames.tcp(IN, 1, OUT, 2).tcpDataOffset(6).build())).isEqualTo(Drops.BAD_L4_HEADER);
        assertThat(parse(Frames.tcp(IN, 1, OUT, 2).payload(new byte[4]).tcpDataOffset(6).build()))
                .isEqualTo(Packet.OK);
        assertThat(parse(Frames.udp(IN, 1, OUT, 2).udpLength(7).build())).isEqualTo(Drops.BAD_L4_HEADER);
        assertThat(parse(Frames.udp(IN, 1, OUT, 2).payload(new byte[2]).udpLength(11).build()))
                .isEqualTo(Drops.BAD_L4_HEADER);
    }

    @Test
    void badIcmpErrors() {
        byte[] inner = Frames.udp(OUT, 1025, ip("8.8.8.8"), 53).build();
        // fewer than 8 quoted L4 bytes, or not even a whole header
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 3, 3, inner).quote(7).build())).isEqualTo(Drops.TRUNCATED);
        assertThat(parse(Frames.icmp(ROUTER, OUT, 3, 3).payload(Arrays.copyOfRange(inner, 14, 33)).build()))
                .isEqualTo(Drops.TRUNCATED);
        byte[] withOptions = Frames.udp(OUT, 1025, ip("8.8.8.8"), 53).ipOptions(new byte[12]).build();
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 3, 3, withOptions).quote(8).build())).isEqualTo(Packet.OK);
        assertThat(p.innerIhl).isEqualTo(32);
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 3, 3, withOptions).quote(4).build()))
                .isEqualTo(Drops.TRUNCATED);

        byte[] notV4 = inner.clone();
        notV4[14] = 0x65;
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 3, 3, notV4).build())).isEqualTo(Drops.BAD_L4_HEADER);
        byte[] shortIhl = inner.clone();
        shortIhl[14] = 0x44;
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 3, 3, shortIhl).quote(12).build()))
                .isEqualTo(Drops.BAD_L4_HEADER);
    }

    @Test
    void unsupportedIcmp() {
        assertThat(parse(Frames.icmp(ROUTER, OUT, 5, 1).build())).isEqualTo(Drops.ICMP_UNSUPPORTED);
        assertThat(parse(Frames.icmp(ROUTER, OUT, 13, 0).payload(new byte[12]).build()))
                .isEqualTo(Drops.ICMP_UNSUPPORTED);
        // an error about an error, and an error about a non-first fragment
        byte[] error = Frames.icmpError(OUT, ROUTER, 3, 3, Frames.udp(ROUTER, 1, OUT, 2).build()).build();
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 3, 3, error).build())).isEqualTo(Drops.ICMP_UNSUPPORTED);
        byte[] fragment = Frames.udp(OUT, 1, ROUTER, 2).fragment(false, 10).build();
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 11, 1, fragment).build())).isEqualTo(Drops.ICMP_UNSUPPORTED);
        // a first fragment quotes its ports and is fine
        byte[] first = Frames.udp(OUT, 1, ROUTER, 2).fragment(true, 0).build();
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 11, 1, first).build())).isEqualTo(Packet.OK);
    }

    @Test
    void doesNotCheckL4Checksums() {
        assertThat(parse(Frames.tcp(IN, 1, OUT, 2).badL4Checksum().build())).isEqualTo(Packet.OK);
        assertThat(parse(Frames.udp(IN, 1, OUT, 2).badL4Checksum().build())).isEqualTo(Packet.OK);
        assertThat(parse(Frames.echoRequest(IN, OUT, 1, 2).badL4Checksum().build())).isEqualTo(Packet.OK);
    }

    @Test
    void clearsFieldsOfThePreviousPacket() {
        byte[] inner = Frames.tcp(OUT, 1025, ip("8.8.8.8"), 80).build();
        assertThat(parse(Frames.icmpError(ROUTER, OUT, 3, 1, inner).quote(20).build())).isEqualTo(Packet.OK);
        assertThat(parse(Frames.udp(IN, 1, OUT, 2).build())).isEqualTo(Packet.OK);
        assertThat(p.icmpError).isFalse();
        assertThat(p.innerSrc).isZero();
        assertThat(p.innerHasL4Checksum).isFalse();
        assertThat(p.icmpType).isZero();
        assertThat(parse(Frames.tcp(IN, 1, OUT, 2).badIpChecksum().build())).isEqualTo(Drops.BAD_IP_CHECKSUM);
        assertThat(p.srcPort).isZero();
        assertThat(p.src).isZero();
    }
}
