package dev.natgw.nat.fastpath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.nat.Ipv4;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ToeplitzTest {
    /** The key of Microsoft's "Verifying the RSS hash calculation" suite. */
    static final byte[] MS_KEY = HexFormat.of()
            .parseHex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");

    private static final Toeplitz MS = new Toeplitz(MS_KEY);
    private static final Toeplitz SYMMETRIC = new Toeplitz(RssConfig.symmetricDefault(1).key());

    // Microsoft's verification suite, IPv4: source, destination, IPv4-only hash, IPv4 with TCP hash
    @ParameterizedTest
    @CsvSource({"66.9.149.187, 2794, 161.142.100.80, 1766, 323e8fc2, 51ccc178",
            "199.92.111.2, 14230, 65.69.140.83, 4739, d718262a, c626b0ea",
            "24.19.198.95, 12898, 12.22.207.184, 38024, d2d0a5de, 5c2b394a",
            "38.27.205.30, 48228, 209.142.163.6, 2217, 82989176, afc7327f",
            "153.39.163.191, 44251, 202.188.127.2, 1303, 5d1809c5, 10e828a2"})
    void matchesMicrosoftVerificationSuite(String src, int srcPort, String dst, int dstPort, String ipv4,
            String ipv4Tcp) {
        int s = Ipv4.parse(src);
        int d = Ipv4.parse(dst);

        assertThat(MS.hash(s, d)).isEqualTo(Integer.parseUnsignedInt(ipv4, 16));
        assertThat(MS.hash(s, d, srcPort, dstPort)).isEqualTo(Integer.parseUnsignedInt(ipv4Tcp, 16));
    }

    @ParameterizedTest
    @CsvSource({"66.9.149.187, 2794, 161.142.100.80, 1766, 51ccc178"})
    void a52ByteKeyHashesIpv4LikeItsFirst40Bytes(String src, int srcPort, String dst, int dstPort, String ipv4Tcp) {
        byte[] key = new byte[52];
        System.arraycopy(MS_KEY, 0, key, 0, 40);
        Toeplitz t = new Toeplitz(key);

        assertThat(t.hash(Ipv4.parse(src), Ipv4.parse(dst), srcPort, dstPort))
                .isEqualTo(Integer.parseUnsignedInt(ipv4Tcp, 16));
    }

    @ParameterizedTest
    @CsvSource({"0", "16", "39", "41", "64"})
    void rejectsOtherKeyLengths(int length) {
        assertThatThrownBy(() -> new Toeplitz(new byte[length])).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void symmetricKeyHashesBothDirectionsAlike(@ForAll int a, @ForAll int b, @ForAll @IntRange(max = 65535) int p,
            @ForAll @IntRange(max = 65535) int q) {
        assertThat(SYMMETRIC.hash(a, b, p, q)).isEqualTo(SYMMETRIC.hash(b, a, q, p));
        assertThat(SYMMETRIC.hash(a, b)).isEqualTo(SYMMETRIC.hash(b, a));
    }

    @Property
    void isLinearInThePorts(@ForAll int x, @ForAll int y, @ForAll @IntRange(max = 65535) int p,
            @ForAll @IntRange(max = 65535) int q) {
        assertThat(MS.hash(x, y, p, q)).isEqualTo(MS.hash(x, y, p, 0) ^ MS.dstPortPart(q));
        assertThat(MS.hash(x, y, p, q)).isEqualTo(MS.hash(x, y, 0, q) ^ MS.srcPortPart(p));
        assertThat(MS.hash(x, y, 0, 0)).isEqualTo(MS.hash(x, y));
    }

    @Property
    void isLinearInTheAddresses(@ForAll int x1, @ForAll int x2, @ForAll int y) {
        // Toeplitz is XOR-linear in every input bit, so the all-zero input hashes to 0
        assertThat(MS.hash(x1 ^ x2, y) ^ MS.hash(x2, 0)).isEqualTo(MS.hash(x1, y));
        assertThat(MS.hash(0, 0, 0, 0)).isZero();
    }
}
