package dev.natgw.traversal.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Payload fields: u8, u16, u32, u64, bytes and string (docs/protocol.md, section 2). */
public final class Payload {
    private Payload() {
    }

    /** Builds a payload. Not thread-safe. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        public Writer u8(int v) {
            out.write(v);
            return this;
        }

        public Writer u16(int v) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("u16 out of range: " + v);
            }
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        public Writer u32(long v) {
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("u32 out of range: " + v);
            }
            for (int s = 24; s >= 0; s -= 8) {
                out.write((int) (v >>> s));
            }
            return this;
        }

        public Writer u64(long v) {
            for (int s = 56; s >= 0; s -= 8) {
                out.write((int) (v >>> s));
            }
            return this;
        }

        public Writer bytes(byte[] b) {
            u16(b.length);
            out.writeBytes(b);
            return this;
        }

        public Writer string(String s) {
            return bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        /** {@return the payload so far} */
        public byte[] toBytes() {
            return out.toByteArray();
        }

        /** {@return a frame of this type carrying the payload} */
        public Frame frame(int type) {
            return new Frame(type, toBytes());
        }
    }

    /** Reads a payload field by field; every failure is MALFORMED. Not thread-safe. */
    public static final class Reader {
        private final ByteBuffer in;

        public Reader(byte[] payload) {
            this.in = ByteBuffer.wrap(payload);
        }

        private void need(int n) throws ProtocolException {
            if (in.remaining() < n) {
                throw new ProtocolException(ErrorCode.MALFORMED, "payload ends early");
            }
        }

        public int u8() throws ProtocolException {
            need(1);
            return in.get() & 0xFF;
        }

        public int u16() throws ProtocolException {
            need(2);
            return in.getShort() & 0xFFFF;
        }

        public long u32() throws ProtocolException {
            need(4);
            return in.getInt() & 0xFFFF_FFFFL;
        }

        public long u64() throws ProtocolException {
            need(8);
            return in.getLong();
        }

        /** Reads a bytes field of min..max bytes. */
        public byte[] bytes(int min, int max) throws ProtocolException {
            int n = u16();
            if (n < min || n > max) {
                throw new ProtocolException(ErrorCode.MALFORMED, "field of " + n + " bytes, must be " + min + ".."
                        + max);
            }
            need(n);
            byte[] b = new byte[n];
            in.get(b);
            return b;
        }

        /** Reads a string field of at most max bytes of well-formed UTF-8. */
        public String string(int max) throws ProtocolException {
            byte[] b = bytes(0, max);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw new ProtocolException(ErrorCode.MALFORMED, "string is not UTF-8");
            }
        }

        /** {@return true if bytes are left: an optional trailing field follows} */
        public boolean more() {
            return in.hasRemaining();
        }

        /** Fails if bytes are left. */
        public void end() throws ProtocolException {
            if (in.hasRemaining()) {
                throw new ProtocolException(ErrorCode.MALFORMED, in.remaining() + " trailing bytes in payload");
            }
        }
    }
}
