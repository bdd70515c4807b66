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
}
