package dev.natgw.traversal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * A connected socket whose first bytes were already read (while a re-probe looked for the forwarder's nonce on the
 * live listener): its input stream gives those bytes again before the rest, so the application sees the connection
 * whole. Everything else goes to the real socket; like every {@link DelegatingSocket}, it has no channel (reading
 * the channel would skip the replayed bytes).
 */
final class ReplaySocket extends DelegatingSocket {
    private final InputStream in;

    ReplaySocket(Socket socket, byte[] head) throws IOException {
        super(socket);
        this.in = new Replay(head, socket.getInputStream());
    }

    /**
     * The head, then the socket's stream. Not SequenceInputStream: that closes a stream it has read to the end, and
     * closing a socket's stream closes the socket, which would end a half-closed connection's other direction.
     */
    private static final class Replay extends InputStream {
        private final ByteArrayInputStream head;
        private final InputStream rest;

        Replay(byte[] head, InputStream rest) {
            this.head = new ByteArrayInputStream(head);
            this.rest = rest;
        }

        @Override
        public int read() throws IOException {
            int b = head.read();
            return b >= 0 ? b : rest.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = head.read(b, off, len);
            return n > 0 ? n : rest.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return head.available() + rest.available();
        }

        @Override
        public void close() throws IOException {
            rest.close();
        }
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }
}
