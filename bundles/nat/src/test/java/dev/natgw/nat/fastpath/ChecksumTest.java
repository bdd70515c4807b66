package dev.natgw.nat.fastpath;

import java.nio.charset.StandardCharsets;
import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.nat.testing.Frames;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    private static final int A = ip("10.0.0.1");
    private static final int B = ip("198.51.100.7");

    @Test
    void sumsTheRfc1071Example() {
        // RFC 1071 section 3: these bytes sum to 0xddf2
        MemorySegment m = MemorySegment.ofArray(new byte[]{0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5,
                (byte) 0xf6, (byte) 0xf7});
        assertThat(Checksum.partial(m, 0, 8, 0) & 0xffff).isEqualTo(0xddf2);
        assertThat(Checksum.fold(Checksum.partial(m, 0, 8, 0))).isEqualTo(~0xddf2 & 0xffff);
    }

    @Test
    void padsAnOddTrailingByte() {
        MemorySegment m = MemorySegment.ofArray(new byte[]{0x12, 0x34, 0x56});
        assertThat(Checksum.partial(m, 0, 3, 0)).isEqualTo(0x1234 + 0x5600);
        assertThat(Checksum.partial(m, 2, 1, 0)).isEqualTo(0x5600);
        assertThat(Checksum.partial(m, 0, 0, 7)).isEqualTo(7);
    }

    @Test
    void agreesWithTheIndependentSumOnRandomBytesAtAnyOffset() {
        Random r = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[r.nextInt(200) + 1];
            r.nextBytes(b);
            int off = r.nextInt(b.length);
            int len = r.nextInt(b.length - off + 1);
            int expected = Frames.internetChecksum(b, off, len);
            int actual = Checksum.fold(Checksum.partial(MemorySegment.ofArray(b), off, len, 0));
            // 0 and 0xffff are the same one's-complement number; the independent sum only yields 0xffff for
            // all-zero data, and so does this one
            assertThat(actual).as("len %d off %d", len, off).isEqualTo(expected);
        }
    }

    @Test
    void chainsPartialSumsOverEvenPieces() {
        Random r = new Random(7);
        byte[] b = new byte[1501];
        r.nextBytes(b);
        MemorySegment m = MemorySegment.ofArray(b);
        int acc = Checksum.partial(m, 0, 600, 0);
        acc = Checksum.partial(m, 600, 900, acc);
        acc = Checksum.partial(m, 1500, 1, acc);
        assertThat(Checksum.fold(acc)).isEqualTo(Frames.internetChecksum(b, 0, b.length));
    }

    @Test
    void foldsLargeAccumulators() {
        assertThat(Checksum.fold(0xffffffff)).isEqualTo(0);
        assertThat(Checksum.fold(0x0001fffe)).isEqualTo(0);
        assertThat(Checksum.fold(0)).isEqualTo(0xffff);
        assertThat(Checksum.fold(0x12345)).isEqualTo(~0x2346 & 0xffff);
    }

    @Test
    void adjustsIncrementallyAsARecomputationWould() {
        Random r = new Random(1);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[20];
            r.nextBytes(b);
            b[10] = 0;
            b[11] = 0;
            int sum = Frames.internetChecksum(b, 0, 20);
            int word = 2 * r.nextInt(10);
            if (word == 10) {
                continue;
            }
            int oldWord = (b[word] & 0xff) << 8 | (b[word + 1] & 0xff);
            int newWord = r.nextInt(0x10000);
            b[word] = (byte) (newWord >>> 8);
            b[word + 1] = (byte) newWord;
            assertThat(Checksum.adjust16(sum, oldWord, newWord)).isEqualTo(Frames.internetChecksum(b, 0, 20));
        }
    }

    @Test
    void adjust32IsTwoWords() {
        int sum = 0x1c46;
        assertThat(Checksum.adjust32(sum, A, B))
                .isEqualTo(Checksum.adjust16(Checksum.adjust16(sum, A >>> 16, B >>> 16), A & 0xffff, B & 0xffff));
        assertThat(Checksum.adjust32(Checksum.adjust32(sum, A, B), B, A)).isEqualTo(sum);
    }

    @Test
    void adjustFollowsEquation3ForTheRfc1624Example() {
        // RFC 1624 section 4: HC 0xdd2f, m 0x5555 -> m' 0x3285 gives HC' 0x0000 by eqn. 3 (eqn. 2 gave -0)
        assertThat(Checksum.adjust16(0xdd2f, 0x5555, 0x3285)).isEqualTo(0x0000);
    }

    @Test
    void validatesIpv4Headers() {
        byte[] f = Frames.udp(A, 1, B, 2).build();
        MemorySegment m = MemorySegment.ofArray(f);
        assertThat(Checksum.ipv4HeaderValid(m, 14, 20)).isTrue();
        assertThat(Checksum.ipv4HeaderValid(MemorySegment.ofArray(Frames.udp(A, 1, B, 2).badIpChecksum().build()), 14,
                20)).isFalse();
        byte[] withOptions = Frames.udp(A, 1, B, 2).ipOptions(new byte[]{1, 1, 1, 1, 1, 1, 1, 0}).build();
        assertThat(Checksum.ipv4HeaderValid(MemorySegment.ofArray(withOptions), 14, 28)).isTrue();
        assertThat(Checksum.ipv4HeaderValid(m, 14, 19)).isFalse();
        assertThat(Checksum.ipv4HeaderValid(m, f.length - 10, 20)).isFalse();
        assertThat(Checksum.ipv4HeaderValid(m, -1, 20)).isFalse();
    }

    @Test
    void validatesL4Checksums() {
        byte[] payload = "hello, odd!".getBytes(StandardCharsets.US_ASCII);
        assertThat(l4Valid(Frames.tcp(A, 1000, B, 80).payload(payload).build())).isTrue();
        assertThat(l4Valid(Frames.tcp(A, 1000, B, 80).payload(payload).badL4Checksum().build())).isFalse();
        assertThat(l4Valid(Frames.udp(A, 1000, B, 53).payload(payload).build())).isTrue();
        assertThat(l4Valid(Frames.udp(A, 1000, B, 53).payload(payload).badL4Checksum().build())).isFalse();
        assertThat(l4Valid(Frames.udp(A, 1000, B, 53).payload(payload).zeroChecksum().build())).isTrue();
        assertThat(l4Valid(Frames.echoRequest(A, B, 7, 1).payload(payload).build())).isTrue();
        assertThat(l4Valid(Frames.echoRequest(A, B, 7, 1).payload(payload).badL4Checksum().build())).isFalse();
        assertThat(l4Valid(Frames.other(A, B, Frames.GRE).payload(new byte[8]).build())).isTrue();
    }

    @Test
    void udpChecksumCoversTheUdpLengthNotTheIpPadding() {
        // IP payload longer than the UDP datagram: the extra bytes are outside the checksum
        byte[] f = Frames.udp(A, 1000, B, 53).payload(new byte[]{1, 2, 3, 4, 5, 6, 0x55}).udpLength(11).build();
        assertThat(l4Valid(f)).isTrue();
        f[f.length - 1] = 0x66;
        assertThat(l4Valid(f)).isTrue();
        f[f.length - 5] = 0x66;
        assertThat(l4Valid(f)).isFalse();
    }

    private static boolean l4Valid(byte[] frame) {
        MemorySegment m = MemorySegment.ofArray(frame);
        Packet p = new Packet();
        assertThat(p.parse(m, 0, frame.length)).isEqualTo(Packet.OK);
        return Checksum.l4Valid(m, p);
    }
}
