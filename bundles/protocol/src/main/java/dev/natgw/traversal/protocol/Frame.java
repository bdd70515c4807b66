package dev.natgw.traversal.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * One protocol frame: a type and its payload (docs/protocol.md, section 2). Reading never buffers past the frame,
 * so the bytes after it stay in the stream for a relay.
 *
 * @param type the message type, 0..255
 * @param payload the payload, at most {@link #MAX_PAYLOAD} bytes; not copied
 */
public record Frame(int type, byte[] payload) {
    /** The protocol version this codec speaks. */
    public static final int VERSION = 1;
    /** The largest value of the length field: version, type and payload. */
    public static final int MAX_FRAME = 4096;
    /** The largest payload. */
    public static final int MAX_PAYLOAD = MAX_FRAME - 2;
    private static final int HEADER = 6;

    /** Validates. */
    public Frame {
        Objects.requireNonNull(payload, "payload");
        if (type < 0 || type > 255) {
            throw new IllegalArgumentException("type must be 0..255, was " + type);
        }
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload must be at most " + MAX_PAYLOAD + " bytes, was "
                    + payload.length);
        }
    }

    /** {@return a frame of this type with an empty payload} */
    public static Frame of(int type) {
        return new Frame(type, new byte[0]);
    }

    /** {@return the frame as it goes on the wire} */
    public byte[] encode() {
        int length = 2 + payload.length;
        byte[] out = new byte[HEADER + payload.length];
        out[0] = (byte) (length >>> 24);
        out[1] = (byte) (length >>> 16);
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        out[4] = VERSION;
        out[5] = (byte) type;
        System.arraycopy(payload, 0, out, HEADER, payload.length);
        return out;
    }

    /** Writes the frame in one write call and flushes. */
    public void write(OutputStream out) throws IOException {
        out.write(encode());
        out.flush();
    }

    /**
     * Reads exactly one frame.
     *
     * @return the frame
     * @throws EOFException if the stream ends before the first byte
     * @throws ProtocolException MALFORMED, FRAME_TOO_LARGE or UNSUPPORTED_VERSION, before the payload is read; or
     *     the stream ends inside the frame (MALFORMED)
     */
    public static Frame read(InputStream in) throws IOException {
        byte[] header = new byte[HEADER];
        int first = in.read();
        if (first < 0) {
            throw new EOFException("connection closed");
        }
        header[0] = (byte) first;
        readFully(in, header, 1, HEADER - 1);
        long length = (header[0] & 0xFFL) << 24 | (header[1] & 0xFF) << 16 | (header[2] & 0xFF) << 8
                | header[3] & 0xFF;
        if (length > MAX_FRAME) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, "frame length " + length + " above " + MAX_FRAME);
        }
        if (length < 2) {
            throw new ProtocolException(ErrorCode.MALFORMED, "frame length " + length + " below 2");
        }
        int version = header[4] & 0xFF;
        if (version != VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                    "version " + version + ", this side speaks " + VERSION);
        }
        byte[] payload = new byte[(int) length - 2];
        readFully(in, payload, 0, payload.length);
        return new Frame(header[5] & 0xFF, payload);
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n < len) {
            throw new ProtocolException(ErrorCode.MALFORMED, "connection closed inside a frame");
        }
    }

    /** {@return a reader over the payload} */
    public Payload.Reader reader() {
        return new Payload.Reader(payload);
    }

    /**
     * Fails unless this frame has the expected type; an ERROR frame becomes a remote ProtocolException.
     *
     * @return this frame
     */
    public Frame expect(int expected) throws ProtocolException {
        if (type == MessageType.ERROR) {
            throw asError();
        }
        if (type != expected) {
            throw new ProtocolException(ErrorCode.UNEXPECTED,
                    MessageType.name(type) + " where " + MessageType.name(expected) + " was required");
        }
        return this;
    }

    /** {@return this ERROR frame as the exception it reports} */
    public ProtocolException asError() {
        try {
            Payload.Reader r = reader();
            int code = r.u16();
            String message = r.string(1024);
            r.end();
            return new ProtocolException(ErrorCode.of(code), message, true);
        } catch (ProtocolException e) {
            return new ProtocolException(ErrorCode.MALFORMED, "unreadable ERROR frame", true);
        }
    }

    /** {@return an ERROR frame; the message is cut to 1024 bytes of UTF-8} */
    public static Frame error(ErrorCode code, String message) {
        String m = message == null ? "" : message;
        while (m.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
            m = m.substring(0, m.length() / 2);
        }
        return new Payload.Writer().u16(code.code()).string(m).frame(MessageType.ERROR);
    }
}
