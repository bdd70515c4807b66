package dev.natgw.traversal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bouncy Castle's Ed25519 behind {@link Keys}: the JDK's signatures exactly, the same verdicts, bounded caches. */
class FastEd25519Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc8032TestVector1() throws Exception {
        // RFC 8032, section 7.1, TEST 1 (the empty message)
        PrivateKey sk = KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(
                NamedParameterSpec.ED25519, HEX.parseHex(
                        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")));
        PublicKey pk = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(HEX.parseHex(
                "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")));
        byte[] expected = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a3"
                + "3bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

        assertThat(FastEd25519.sign(sk, new byte[0])).isEqualTo(expected);
        assertThat(Keys.sign(sk, new byte[0])).isEqualTo(expected);
        assertThat(FastEd25519.verify(pk, new byte[0], expected)).isTrue();
    }

    @Test
    void signsAsTheJdkDoesAndEachChecksTheOthersSignatures() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(data);

            byte[] fast = Keys.sign(pair.getPrivate(), data);
            Signature jdk = Signature.getInstance("Ed25519");
            jdk.initSign(pair.getPrivate());
            jdk.update(data);
            byte[] slow = jdk.sign();

            assertThat(fast).isEqualTo(slow); // Ed25519 is deterministic
            jdk.initVerify(pair.getPublic());
            jdk.update(data);
            assertThat(jdk.verify(fast)).isTrue();
            assertThat(Keys.verify(pair.getPublic(), data, slow)).isTrue();
        }
    }

    @Test
    void refusesWhatDoesNotVerify() throws Exception {
        KeyPair pair = Keys.generate();
        KeyPair other = Keys.generate();
        byte[] data = "natgw-data-v1 token".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] signature = Keys.sign(pair.getPrivate(), data);

        byte[] flipped = signature.clone();
        flipped[10] ^= 1;
        byte[] changed = data.clone();
        changed[0] ^= 1;
        assertThat(Keys.verify(pair.getPublic(), data, flipped)).isFalse();
        assertThat(Keys.verify(pair.getPublic(), changed, signature)).isFalse();
        assertThat(Keys.verify(other.getPublic(), data, signature)).isFalse();
        assertThat(Keys.verify(pair.getPublic(), data, new byte[63])).isFalse();
        assertThat(Keys.verify(pair.getPublic(), data, new byte[65])).isFalse();
        assertThat(Keys.verify(pair.getPublic(), data, null)).isFalse();
        // S at or beyond the group order: a second form of the same signature, refused (RFC 8032, section 5.1.7)
        byte[] malleable = signature.clone();
        malleable[63] |= (byte) 0xf0;
        assertThat(Keys.verify(pair.getPublic(), data, malleable)).isFalse();
    }

    @Test
    void leavesOtherKindsOfKeyToTheJdk() throws Exception {
        KeyPair ec = KeyPairGenerator.getInstance("EC").generateKeyPair();
        KeyPair x25519 = KeyPairGenerator.getInstance("X25519").generateKeyPair();

        assertThat(FastEd25519.verify(ec.getPublic(), new byte[1], new byte[64])).isNull();
        assertThat(FastEd25519.verify(x25519.getPublic(), new byte[1], new byte[64])).isNull();
        assertThat(FastEd25519.sign(ec.getPrivate(), new byte[1])).isNull();
        assertThat(Keys.verify(x25519.getPublic(), new byte[1], new byte[64])).isFalse();
    }

    @Test
    void keepsABoundedNumberOfKeysHoweverManyArePresented() {
        byte[] data = new byte[8];
        for (int i = 0; i < 3 * FastEd25519.MAX_KEPT; i++) {
            KeyPair pair = Keys.generate();
            assertThat(Keys.verify(pair.getPublic(), data, Keys.sign(pair.getPrivate(), data))).isTrue();
            assertThat(FastEd25519.kept()).isLessThanOrEqualTo(2 * FastEd25519.MAX_KEPT);
        }
    }
}
