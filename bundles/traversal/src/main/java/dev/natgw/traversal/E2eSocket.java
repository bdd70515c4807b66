package dev.natgw.traversal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import javax.net.ssl.SSLSocket;

/**
 * The application's face of an end-to-end channel once its handshake is done: the TLS socket, except that its input
 * ends only at the peer's close_notify. JSSE takes a transport's end of stream without the peer's close_notify for an
 * ordinary end (unless the JVM-wide {@code com.sun.net.ssl.requireCloseNotify} is set), so whoever carries the bytes (a
 * forwarder, anyone on the path) could cut the stream short and the application would read a clean end; here that end
 * is a {@link TruncatedStreamException} instead, on every read from then on. What tells the two apart is the transport
 * ({@link DrainingSocket#cutShort()}): after a close_notify JSSE never reads the transport's end.
 *
 * <p>
 * A close through this socket or its streams is recorded before it runs, so that an end of stream this host's own close
 * caused (a reader aborted by another thread's close) stays an ordinary end.
 */
final class E2eSocket extends DelegatingSocket {
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean closing;

    /**
     * @param tls the end-to-end TLS socket, handshake done, layered over transport
     * @param transport the socket under it
     * @param cut the message of the error a cut-short stream reads: which channel, whose close_notify is missing
     */
    E2eSocket(SSLSocket tls, DrainingSocket transport, String cut) throws IOException {
        super(tls);
        this.in = new WatchedInput(tls.getInputStream()) {
            @Override
            int seen(int n) throws TruncatedStreamException {
                if (n < 0 && transport.cutShort() && !closing) {
                    throw new TruncatedStreamException(cut);
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                E2eSocket.this.close();
            }
        };
        this.out = new Output(tls.getOutputStream());
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public synchronized void close() throws IOException {
        closing = true;
        super.close();
    }

    /** JSSE's output, closed through this socket (JSSE's own close of it closes the TLS socket behind its back). */
    private final class Output extends OutputStream {
        private final OutputStream tls;

        Output(OutputStream tls) {
            this.tls = tls;
        }

        @Override
        public void write(int b) throws IOException {
            tls.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            tls.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            tls.flush();
        }

        @Override
        public void close() throws IOException {
            E2eSocket.this.close();
        }
    }
}
