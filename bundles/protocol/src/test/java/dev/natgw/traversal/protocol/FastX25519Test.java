package dev.natgw.traversal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.HexFormat;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bouncy Castle's X25519 behind the JDK's key interfaces: the JDK's results, X448 left to the JDK. */
class FastX25519Test {

    private static final HexFormat HEX = HexFormat.of();

    @AfterEach
    void remove() {
        Ed25519Provider.uninstall();
    }

    private static BigInteger u(String littleEndianHex) {
        return FastX25519.fromLittleEndian(HEX.parseHex(littleEndianHex));
    }

    @Test
    void rfc7748DiffieHellmanVector() throws Exception {
        // RFC 7748, section 6.1: Alice's private key, Bob's public key, their shared secret
        KeyFactory jdk = KeyFactory.getInstance("XDH", "SunEC");
        var alice = jdk.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, HEX.parseHex(
                "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")));
        var bob = jdk.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, u(
                "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")));
        FastX25519.Agreement a = new FastX25519.Agreement();
        a.engineInit(alice, null);
        a.engineDoPhase(bob, true);
        assertThat(HEX.formatHex(a.engineGenerateSecret())).isEqualTo(
                "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    }

    @Test
    void agreesWithTheJdkBothWays() throws Exception {
        Ed25519Provider.install();
        for (int i = 0; i < 10; i++) {
            KeyPairGenerator ours = KeyPairGenerator.getInstance("XDH");
            ours.initialize(NamedParameterSpec.X25519);
            KeyPair mine = ours.generateKeyPair();
            assertThat(ours.getProvider().getName()).isEqualTo(Ed25519Provider.NAME);
            KeyPairGenerator jdkGenerator = KeyPairGenerator.getInstance("XDH", "SunEC");
            jdkGenerator.initialize(NamedParameterSpec.X25519);
            KeyPair theirs = jdkGenerator.generateKeyPair();

            KeyAgreement fast = KeyAgreement.getInstance("XDH");
            fast.init(mine.getPrivate());
            fast.doPhase(theirs.getPublic(), true);
            KeyAgreement slow = KeyAgreement.getInstance("XDH", "SunEC");
            slow.init(theirs.getPrivate());
            // the JDK takes our public key, as JSSE's peer would after decoding u
            XECPublicKey decoded = (XECPublicKey) KeyFactory.getInstance("XDH", "SunEC").generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, ((XECPublicKey) mine.getPublic()).getU()));
            slow.doPhase(decoded, true);

            assertThat(fast.getProvider().getName()).isEqualTo(Ed25519Provider.NAME);
            assertThat(fast.generateSecret()).isEqualTo(slow.generateSecret());
            // the encodings are RFC 8410's, which the JDK reads back to the same key
            assertThat(KeyFactory.getInstance("XDH", "SunEC").generatePublic(new java.security.spec.X509EncodedKeySpec(
                    mine.getPublic().getEncoded()))).isEqualTo(decoded);
        }
    }

    @Test
    void refusesAPointOfSmallOrder() throws Exception {
        KeyPair mine = new FastX25519.Generator().generateKeyPair();
        var zero = KeyFactory.getInstance("XDH", "SunEC").generatePublic(new XECPublicKeySpec(
                NamedParameterSpec.X25519, BigInteger.ZERO));
        FastX25519.Agreement a = new FastX25519.Agreement();
        a.engineInit(mine.getPrivate(), null);
        assertThatThrownBy(() -> a.engineDoPhase(zero, true)).isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("small order");
    }

    @Test
    void x448StaysTheJdks() throws Exception {
        Ed25519Provider.install();
        KeyPairGenerator g = KeyPairGenerator.getInstance("XDH");
        g.initialize(NamedParameterSpec.X448);
        KeyPair x448 = g.generateKeyPair();
        assertThat(g.getProvider().getName()).isNotEqualTo(Ed25519Provider.NAME);
        KeyAgreement a = KeyAgreement.getInstance("XDH");
        a.init(x448.getPrivate());
        a.doPhase(x448.getPublic(), true);
        assertThat(a.getProvider().getName()).isNotEqualTo(Ed25519Provider.NAME);
        assertThat(a.generateSecret()).hasSize(56);
    }
}
