package dev.natgw.traversal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

/** Frames, payload fields and the Ed25519 key scheme, byte by byte as docs/protocol.md specifies them. */
class CodecTest {

    @Test
    void aRemoteErrorNamesItsCodeOnce() {
        ProtocolException sent = new ProtocolException(ErrorCode.NOT_ADMITTED, "this forwarder admits only allow-listed"
                + " keys");
        ProtocolException received = new ProtocolException(ErrorCode.NOT_ADMITTED, sent.getMessage(), true);
        assertThat(received.getMessage()).isEqualTo("NOT_ADMITTED: this forwarder admits only allow-listed keys");
        assertThat(new ProtocolException(ErrorCode.NOT_ADMITTED, "short", true).getMessage()).isEqualTo(
                "NOT_ADMITTED: short");
        assertThat(received.remote()).isTrue();
    }

    @Test
    void frameLayoutIsLengthVersionTypePayload() throws Exception {
        byte[] wire = new Payload.Writer().u8(7).u16(0x0102).u32(0x03040506L).u64(-1).bytes(new byte[]{9})
                .string("é").frame(MessageType.PING).encode();
        int payload = 1 + 2 + 4 + 8 + 3 + 4;
        assertThat(wire).startsWith(0, 0, 0, 2 + payload, 1, 0x10, 7, 1, 2, 3, 4, 5, 6);
        Frame f = Frame.read(new ByteArrayInputStream(wire));
        Payload.Reader r = f.reader();
        assertThat(r.u8()).isEqualTo(7);
        assertThat(r.u16()).isEqualTo(0x0102);
        assertThat(r.u32()).isEqualTo(0x03040506L);
        assertThat(r.u64()).isEqualTo(-1);
        assertThat(r.bytes(1, 1)).containsExactly(9);
        assertThat(r.string(2)).isEqualTo("é");
        r.end();
    }

    @Test
    void readingStopsAtTheFrameSoRelayedBytesStayInTheStream() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frame.of(MessageType.CONNECTED).write(out);
        out.write(new byte[]{42, 43});
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertThat(Frame.read(in).type()).isEqualTo(MessageType.CONNECTED);
        assertThat(in.readAllBytes()).containsExactly(42, 43);
    }

    @Test
    void badHeadersAreRefusedBeforeThePayloadIsRead() {
        assertThatThrownBy(() -> Frame.read(new ByteArrayInputStream(new byte[]{0, 0, 0x10, 1, 1, 1})))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(
                        ErrorCode.FRAME_TOO_LARGE));
        assertThatThrownBy(() -> Frame.read(new ByteArrayInputStream(new byte[]{0, 0, 0, 1, 1, 1})))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(
                        ErrorCode.MALFORMED));
        assertThatThrownBy(() -> Frame.read(new ByteArrayInputStream(new byte[]{0, 0, 0, 2, 2, 1})))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(
                        ErrorCode.UNSUPPORTED_VERSION));
        assertThatThrownBy(() -> Frame.read(new ByteArrayInputStream(new byte[]{0, 0, 0, 9, 1, 1, 0})))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(
                        ErrorCode.MALFORMED));
        assertThatThrownBy(() -> Frame.read(new ByteArrayInputStream(new byte[0]))).isInstanceOf(
                EOFException.class);
        assertThatThrownBy(() -> new Frame(1, new byte[Frame.MAX_PAYLOAD + 1])).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void payloadsMustBeConsumedExactlyAndWellFormed() {
        assertThatThrownBy(() -> new Payload.Reader(new byte[]{0, 5, 1}).bytes(0, 10)).hasMessageContaining(
                "ends early");
        assertThatThrownBy(() -> new Payload.Reader(new byte[]{0, 3, 1, 2, 3}).bytes(0, 2)).hasMessageContaining(
                "must be 0..2");
        assertThatThrownBy(() -> new Payload.Reader(new byte[]{0, 1, (byte) 0xff}).string(10)).hasMessageContaining(
                "UTF-8");
        Payload.Reader r = new Payload.Reader(new byte[]{1, 2});
        assertThatThrownBy(() -> {
            r.u8();
            r.end();
        }).hasMessageContaining("trailing");
    }

    @Test
    void errorFramesCarryTheirCodeAndACappedMessage() {
        Frame f = Frame.error(ErrorCode.BAD_TOKEN, "x".repeat(5000));
        ProtocolException e = f.asError();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_TOKEN);
        assertThat(e.remote()).isTrue();
        assertThat(e.getMessage().length()).isLessThanOrEqualTo(1024 + 20);
        assertThatThrownBy(() -> f.expect(MessageType.CONNECTED)).isInstanceOfSatisfying(ProtocolException.class,
                x -> assertThat(x.code()).isEqualTo(ErrorCode.BAD_TOKEN));
    }

    @Test
    void aKeyNamesItsPublicKeyAndOnlyItsPrivateKeyProvesIt() throws Exception {
        KeyPair owner = Keys.generate();
        KeyPair other = Keys.generate();
        String key = Keys.keyOf(owner.getPublic());
        assertThat(key).startsWith("ed25519-").hasSize(72);
        assertThat(Keys.isKey(key)).isTrue();
        assertThat(Keys.isKey("ed25519-XYZ")).isFalse();
        byte[] nonce = Keys.nonce();
        byte[] good = Keys.sign(owner.getPrivate(), Keys.registerChallenge(nonce));
        assertThat(Keys.verifyRegistration(owner.getPublic().getEncoded(), nonce, good)).isEqualTo(key);
        byte[] forged = Keys.sign(other.getPrivate(), Keys.registerChallenge(nonce));
        assertThatThrownBy(() -> Keys.verifyRegistration(owner.getPublic().getEncoded(), nonce, forged))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(
                        ErrorCode.BAD_PROOF));
        assertThatThrownBy(() -> Keys.verifyRegistration(owner.getPublic().getEncoded(), Keys.nonce(), good))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Keys.publicKey(new byte[44])).isInstanceOf(ProtocolException.class);
        // the signed bytes: the context, a zero byte, the nonce
        assertThat(Keys.registerChallenge(new byte[]{1, 2})).containsExactly('n', 'a', 't', 'g', 'w', '-', 'r', 'e',
                'g', 'i', 's', 't', 'e', 'r', '-', 'v', '1', 0, 1, 2);
    }

    @Test
    void theRegistrationProofNamesTheForwarderAndTheDataProofTheToken() throws Exception {
        KeyPair owner = Keys.generate();
        String key = Keys.keyOf(owner.getPublic());
        byte[] spki = owner.getPublic().getEncoded();
        byte[] nonce = Keys.nonce();
        byte[] real = new byte[ForwarderIdentity.BYTES];
        real[0] = 1;
        byte[] relaying = new byte[ForwarderIdentity.BYTES];
        relaying[0] = 2;
        byte[] proof = Keys.sign(owner.getPrivate(), Keys.registerProof(nonce, real));
        assertThat(Keys.verifyRegistration(spki, nonce, real, proof)).isEqualTo(key);
        // signed for the forwarder in between: refused by the real one, saying so
        byte[] relayed = Keys.sign(owner.getPrivate(), Keys.registerProof(nonce, relaying));
        assertThatThrownBy(() -> Keys.verifyRegistration(spki, nonce, real, relayed)).isInstanceOfSatisfying(
                ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_PROOF)).hasMessageContaining(
                        "names another forwarder");
        // the first proof, of an older server: refused, saying what to do
        byte[] old = Keys.sign(owner.getPrivate(), Keys.registerChallenge(nonce));
        assertThatThrownBy(() -> Keys.verifyRegistration(spki, nonce, real, old)).hasMessageContaining(
                "natgw-register-v2").hasMessageContaining("upgrade");
        // the signed bytes, pinned: the context, a zero byte, then the parts in order
        assertThat(Keys.registerProof(new byte[]{1, 2}, new byte[]{3})).containsExactly('n', 'a', 't', 'g', 'w', '-',
                'r', 'e', 'g', 'i', 's', 't', 'e', 'r', '-', 'v', '2', 0, 1, 2, 3);
        assertThat(Keys.dataProof(new byte[]{3}, new byte[]{4, 5})).containsExactly('n', 'a', 't', 'g', 'w', '-', 'd',
                'a', 't', 'a', '-', 'v', '1', 0, 3, 4, 5);
        byte[] token = Keys.nonce();
        byte[] data = Keys.sign(owner.getPrivate(), Keys.dataProof(real, token));
        assertThat(Keys.verifyData(owner.getPublic(), real, token, data)).isTrue();
        assertThat(Keys.verifyData(owner.getPublic(), relaying, token, data)).isFalse();
        assertThat(Keys.verifyData(owner.getPublic(), real, Keys.nonce(), data)).isFalse();
        assertThat(Keys.verifyData(Keys.generate().getPublic(), real, token, data)).isFalse();
    }

    @Test
    void aForwarderIdentityIsItsCertificatesSha256OrNoneOnPlainTcp() throws Exception {
        KeyPair pair = Keys.generate();
        java.security.cert.X509Certificate cert = SelfCertificate.of(pair.getPublic(), d -> Keys.sign(pair
                .getPrivate(), d));
        assertThat(cert.getPublicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        cert.verify(pair.getPublic());
        byte[] id = ForwarderIdentity.of(cert);
        assertThat(id).isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        assertThat(ForwarderIdentity.text(id)).matches("sha256:[0-9a-f]{64}");
        assertThat(ForwarderIdentity.none()).hasSize(ForwarderIdentity.BYTES).containsOnly(0);
        assertThat(ForwarderIdentity.text(ForwarderIdentity.none())).isEqualTo("none (plain TCP)");
        try (java.net.Socket plain = new java.net.Socket()) {
            assertThat(ForwarderIdentity.seen(plain)).isEqualTo(ForwarderIdentity.none());
            assertThat(ForwarderIdentity.presented(plain)).isEqualTo(ForwarderIdentity.none());
        }
    }
}
