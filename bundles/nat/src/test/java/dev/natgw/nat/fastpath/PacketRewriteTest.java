package dev.natgw.nat.fastpath;

import java.nio.charset.StandardCharsets;
import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Each rewriter against a frame built directly with the new values: the bytes must be identical (Frames
 * computes every checksum from scratch), and FrameView must find every checksum valid.
 */
class PacketRewriteTest {

    private static final int IN = ip("10.0.0.5");
    private static final int POOL = ip("198.18.0.2");
    private static final int REMOTE = ip("203.0.113.9");
    private static final int ROUTER = ip("192.0.2.1");
    private static final byte[] DATA = "some payload, odd length".getBytes(StandardCharsets.US_ASCII);

    private final Packet p = new Packet();

    private MemorySegment parsed(byte[] frame) {
        MemorySegment m = MemorySegment.ofArray(frame);
        assertThat(p.parse(m, 0, frame.length)).isEqualTo(Packet.OK);
        return m;
    }

    private static void assertSame(MemorySegment m, byte[] expected) {
        FrameView actual = FrameView.of(m);
        actual.assertChecksumsValid();
        assertThat(actual.bytes()).as(actual.describe()).isEqualTo(expected);
    }

    @Test
    void rewritesTcpSourceAndDestination() {
        MemorySegment m = parsed(Frames.tcp(IN, 40000, REMOTE, 443).flags(Frames.SYN).payload(DATA).build());
        p.rewriteSource(m, POOL, 1024);
        assertSame(m, Frames.tcp(POOL, 1024, REMOTE, 443).flags(Frames.SYN).payload(DATA).build());
        assertThat(p.src).isEqualTo(POOL);
        assertThat(p.srcPort).isEqualTo(1024);

        p.rewriteDestination(m, IN, 8443);
        assertSame(m, Frames.tcp(POOL, 1024, IN, 8443).flags(Frames.SYN).payload(DATA).build());
        assertThat(p.dst).isEqualTo(IN);
        assertThat(p.dstPort).isEqualTo(8443);
        assertThat(Checksum.l4Valid(m, p)).isTrue();
    }

    @Test
    void rewritesUdp() {
        MemorySegment m = parsed(Frames.udp(IN, 5353, REMOTE, 53).payload(DATA).build());
        p.rewriteSource(m, POOL, 61000);
        assertSame(m, Frames.udp(POOL, 61000, REMOTE, 53).payload(DATA).build());
        p.rewriteDestination(m, ROUTER, 5300);
        assertSame(m, Frames.udp(POOL, 61000, ROUTER, 5300).payload(DATA).build());
        assertThat(p.srcPort).isEqualTo(61000);
        assertThat(p.dstPort).isEqualTo(5300);
    }

    @Test
    void keepsAZeroUdpChecksumZero() {
        MemorySegment m = parsed(Frames.udp(IN, 5353, REMOTE, 53).payload(DATA).zeroChecksum().build());
        p.rewriteSource(m, POOL, 61000);
        assertSame(m, Frames.udp(POOL, 61000, REMOTE, 53).payload(DATA).zeroChecksum().build());
        assertThat(FrameView.of(m).udpChecksum()).isZero();
    }

    @Test
    void writesAComputedZeroUdpChecksumAsAllOnes() {
        // find a destination port that makes the rewritten UDP checksum come out as 0 (sent as 0xffff)
        for (int port = 1; port < 65536; port++) {
            byte[] expected = Frames.udp(POOL, 1024, REMOTE, port).payload(DATA).build();
            if (new FrameView(expected).udpChecksum() == 0xffff) {
                MemorySegment m = parsed(Frames.udp(IN, 40000, REMOTE, 53).payload(DATA).build());
                p.rewriteSource(m, POOL, 1024);
                p.rewriteDestination(m, REMOTE, port);
                assertSame(m, expected);
                return;
            }
        }
        throw new AssertionError("no port gives a UDP checksum of 0xffff");
    }

    @Test
    void rewritesEchoIdentifierWithoutPseudoHeader() {
        MemorySegment m = parsed(Frames.echoRequest(IN, REMOTE, 0x1234, 9).payload(DATA).build());
        p.rewriteSource(m, POOL, 0x0400);
        assertSame(m, Frames.echoRequest(POOL, REMOTE, 0x0400, 9).payload(DATA).build());
        assertThat(p.srcPort).isEqualTo(0x0400);
        assertThat(p.dstPort).isEqualTo(0x0400);

        m = parsed(Frames.echoReply(REMOTE, POOL, 0x0400, 9).payload(DATA).build());
        p.rewriteDestination(m, IN, 0x1234);
        assertSame(m, Frames.echoReply(REMOTE, IN, 0x1234, 9).payload(DATA).build());
        assertThat(p.srcPort).isEqualTo(0x1234);
        assertThat(p.dstPort).isEqualTo(0x1234);
    }

    @Test
    void rewritesOnlyTheAddressOfOtherProtocols() {
        byte[] gre = {0, 0, 0x08, 0, 1, 2, 3, 4, 5};
        MemorySegment m = parsed(Frames.other(IN, REMOTE, Frames.GRE).payload(gre).build());
        p.rewriteSource(m, POOL, 999);
        assertSame(m, Frames.other(POOL, REMOTE, Frames.GRE).payload(gre).build());
        assertThat(p.srcPort).isZero();
        p.rewriteDestination(m, ROUTER, 999);
        assertSame(m, Frames.other(POOL, ROUTER, Frames.GRE).payload(gre).build());
    }

    @Test
    void rewritesOnlyTheOuterAddressOfAnIcmpError() {
        byte[] inner = Frames.udp(POOL, 1024, REMOTE, 53).build();
        MemorySegment m = parsed(Frames.icmpError(ROUTER, POOL, 3, 3, inner).build());
        p.rewriteDestination(m, IN, 777);
        assertSame(m, Frames.icmpError(ROUTER, IN, 3, 3, inner).build());
    }

    @Test
    void keepsOptionsAndVlanIntact() {
        byte[] options = {(byte) 0x94, 4, 0, 0, 7, 7, 7};
        MemorySegment m = parsed(Frames.tcp(IN, 1, REMOTE, 2).vlan(42).ipOptions(options).payload(DATA).build());
        p.rewriteSource(m, POOL, 3);
        p.rewriteDestination(m, ROUTER, 4);
        assertSame(m, Frames.tcp(POOL, 3, ROUTER, 4).vlan(42).ipOptions(options).payload(DATA).build());
        assertThat(FrameView.of(m).vlan()).isEqualTo(42);
    }

    @Test
    void leavesEthernetPaddingAlone() {
        MemorySegment m = parsed(Frames.udp(IN, 1, REMOTE, 2).padding(18).build());
        p.rewriteSource(m, POOL, 3);
        assertSame(m, Frames.udp(POOL, 3, REMOTE, 2).padding(18).build());
    }

    @Test
    void translatesAnIcmpErrorQuotingTcp() {
        // out2in: the router reports on POOL:1024 -> REMOTE:80; the inside host must see IN:40000
        for (int quote : new int[]{8, 18, 19, 20, 20 + DATA.length}) {
            byte[] quotedOut = Frames.tcp(POOL, 1024, REMOTE, 80).payload(DATA).build();
            byte[] quotedIn = Frames.tcp(IN, 40000, REMOTE, 80).payload(DATA).build();
            MemorySegment m = parsed(Frames.icmpError(ROUTER, POOL, 3, 4, quotedOut).quote(quote).build());
            assertThat(p.innerHasL4Checksum).isEqualTo(quote >= 18);
            p.rewriteDestination(m, IN, 0);
            p.rewriteInnerSource(m, IN, 40000);
            assertSame(m, Frames.icmpError(ROUTER, IN, 3, 4, quotedIn).quote(quote).build());
            assertThat(p.innerSrc).isEqualTo(IN);
            assertThat(p.innerSrcPort).isEqualTo(40000);
        }
    }

    @Test
    void leavesAHalfQuotedTcpChecksumAloneButKeepsTheOuterChecksumValid() {
        // 17 quoted bytes hold only the high byte of the TCP checksum: it cannot be updated, and is not
        byte[] quotedOut = Frames.tcp(POOL, 1024, REMOTE, 80).payload(DATA).build();
        MemorySegment m = parsed(Frames.icmpError(ROUTER, POOL, 3, 4, quotedOut).quote(17).build());
        assertThat(p.innerHasL4Checksum).isFalse();
        byte before = m.get(ValueLayout.JAVA_BYTE, p.innerL4 + 16);
        p.rewriteDestination(m, IN, 0);
        p.rewriteInnerSource(m, IN, 40000);
        FrameView.of(m).assertChecksumsValid();
        assertThat(m.get(ValueLayout.JAVA_BYTE, p.innerL4 + 16)).isEqualTo(before);
        assertThat(FrameView.of(m).inner().srcPort()).isEqualTo(40000);
    }

    @Test
    void translatesAnIcmpErrorQuotingUdp() {
        for (int quote : new int[]{8, 8 + DATA.length}) {
            byte[] quotedOut = Frames.udp(POOL, 1024, REMOTE, 53).payload(DATA).build();
            byte[] quotedIn = Frames.udp(IN, 5353, REMOTE, 53).payload(DATA).build();
            MemorySegment m = parsed(Frames.icmpError(ROUTER, POOL, 3, 3, quotedOut).quote(quote).build());
            p.rewriteDestination(m, IN, 0);
            p.rewriteInnerSource(m, IN, 5353);
            assertSame(m, Frames.icmpError(ROUTER, IN, 3, 3, quotedIn).quote(quote).build());
        }
    }

    @Test
    void translatesAnIcmpErrorQuotingUdpWithoutChecksum() {
        byte[] quotedOut = Frames.udp(POOL, 1024, REMOTE, 53).payload(DATA).zeroChecksum().build();
        byte[] quotedIn = Frames.udp(IN, 5353, REMOTE, 53).payload(DATA).zeroChecksum().build();
        MemorySegment m = parsed(Frames.icmpError(ROUTER, POOL, 3, 3, quotedOut).build());
        p.rewriteDestination(m, IN, 0);
        p.rewriteInnerSource(m, IN, 5353);
        assertSame(m, Frames.icmpError(ROUTER, IN, 3, 3, quotedIn).build());
    }

    @Test
    void translatesAnIcmpErrorQuotingAnEcho() {
        byte[] quotedOut = Frames.echoRequest(POOL, REMOTE, 0x0400, 1).payload(DATA).build();
        byte[] quotedIn = Frames.echoRequest(IN, REMOTE, 0x1234, 1).payload(DATA).build();
        MemorySegment m = parsed(Frames.icmpError(ROUTER, POOL, 11, 0, quotedOut).build());
        p.rewriteDestination(m, IN, 0);
        p.rewriteInnerSource(m, IN, 0x1234);
        assertSame(m, Frames.icmpError(ROUTER, IN, 11, 0, quotedIn).build());
        assertThat(p.innerSrcPort).isEqualTo(0x1234);
        assertThat(p.innerDstPort).isEqualTo(0x1234);
    }

    @Test
    void translatesTheInnerDestinationForIn2OutErrors() {
        // in2out: an inside host reports on REMOTE:53 -> IN:5353; the remote must see POOL:1024, from POOL
        byte[] quotedIn = Frames.udp(REMOTE, 53, IN, 5353).payload(DATA).build();
        byte[] quotedOut = Frames.udp(REMOTE, 53, POOL, 1024).payload(DATA).build();
        MemorySegment m = parsed(Frames.icmpError(IN, REMOTE, 3, 3, quotedIn).quote(100).vlan(7).build());
        p.rewriteSource(m, POOL, 0);
        p.rewriteInnerDestination(m, POOL, 1024);
        assertSame(m, Frames.icmpError(POOL, REMOTE, 3, 3, quotedOut).quote(100).vlan(7).build());
        assertThat(p.innerDst).isEqualTo(POOL);
        assertThat(p.innerDstPort).isEqualTo(1024);
    }

    @Test
    void translatesAnIcmpErrorQuotingAHeaderWithOptions() {
        byte[] options = {1, 1, 1, 1, 1, 1, 1, 0};
        byte[] quotedOut = Frames.tcp(POOL, 1024, REMOTE, 80).ipOptions(options).build();
        byte[] quotedIn = Frames.tcp(IN, 40000, REMOTE, 80).ipOptions(options).build();
        MemorySegment m = parsed(Frames.icmpError(ROUTER, POOL, 12, 0, quotedOut).quote(20).build());
        p.rewriteDestination(m, IN, 0);
        p.rewriteInnerSource(m, IN, 40000);
        assertSame(m, Frames.icmpError(ROUTER, IN, 12, 0, quotedIn).quote(20).build());
    }

    @Test
    void translatesOnlyTheAddressOfAQuotedOtherProtocol() {
        byte[] gre = new byte[12];
        byte[] quotedOut = Frames.other(POOL, REMOTE, Frames.GRE).payload(gre).build();
        byte[] quotedIn = Frames.other(IN, REMOTE, Frames.GRE).payload(gre).build();
        MemorySegment m = parsed(Frames.icmpError(ROUTER, POOL, 3, 2, quotedOut).build());
        p.rewriteDestination(m, IN, 0);
        p.rewriteInnerSource(m, IN, 12345);
        assertSame(m, Frames.icmpError(ROUTER, IN, 3, 2, quotedIn).build());
    }
}
