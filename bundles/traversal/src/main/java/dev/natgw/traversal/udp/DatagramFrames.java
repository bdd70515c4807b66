package dev.natgw.traversal.udp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;

/**
 * Datagrams carried on a stream, both ways: each is a big-endian unsigned 16-bit length, then that many bytes, at most
 * {@link #MAX_DATAGRAM} (the largest UDP payload over IPv4). An end of stream between two frames is the flow's end;
 * anywhere else it is an error. Stateless.
 */
public final class DatagramFrames {
    /** The largest datagram carried: 65535 minus the IPv4 and UDP headers. */
    public static final int MAX_DATAGRAM = 65_507;
    /** The bytes in front of each datagram. */
    public static final int HEADER = 2;

    private DatagramFrames() {
    }

    /** {@return a frame holding len bytes of data from off: the length, then the bytes} */
    public static byte[] frame(byte[] data, int off, int len) {
        if (len < 0 || len > MAX_DATAGRAM) {
            throw new IllegalArgumentException("a datagram is 0.." + MAX_DATAGRAM + " bytes, was " + len);
        }
        byte[] f = new byte[HEADER + len];
        f[0] = (byte) (len >>> 8);
        f[1] = (byte) len;
        System.arraycopy(data, off, f, HEADER, len);
        return f;
    }

    /**
     * Reads one datagram into buffer.
     *
     * @param buffer at least {@link #MAX_DATAGRAM} bytes
     * @return its length, or -1 at an end of stream between frames
     * @throws ProtocolException if the peer announces a datagram longer than {@link #MAX_DATAGRAM}
     * @throws EOFException if the stream ends inside a frame
     */
    public static int read(InputStream in, byte[] buffer) throws IOException {
        int hi = in.read();
        if (hi < 0) {
            return -1;
        }
        int lo = in.read();
        if (lo < 0) {
            throw new EOFException("the stream ended inside a datagram's length");
        }
        int len = hi << 8 | lo;
        if (len > MAX_DATAGRAM) {
            throw new ProtocolException("the peer sent a datagram of " + len + " bytes; at most " + MAX_DATAGRAM
                    + " are carried");
        }
        if (in.readNBytes(buffer, 0, len) < len) {
            throw new EOFException("the stream ended inside a datagram of " + len + " bytes");
        }
        return len;
    }
}
