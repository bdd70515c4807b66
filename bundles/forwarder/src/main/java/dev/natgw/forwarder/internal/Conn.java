package dev.natgw.forwarder.internal;

import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.Frame;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocket;

/**
 * One accepted connection with its deadline. The reaper closes it once the deadline passes, which is how every wait
 * on it (a read, a blocked write, a handshake) gets a timeout: a slow or silent peer cannot hold it longer.
 * Frames are written whole under the output's lock, so several threads may send. Closing is idempotent and releases
 * the connection's place in the bounds exactly once.
 */
final class Conn {
    static final long NO_DEADLINE = Long.MAX_VALUE;

    final long id;
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final InetSocketAddress remote;
    final InetAddress source;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long deadline = NO_DEADLINE;
    /** Why the reaper closed it, for the counters; set before the close. */
    volatile boolean timedOut;
    /** The splice path's own descriptor for the socket, once looked up (null: not yet, or none). */
    private volatile SocketFd fd;
    private boolean fdLooked;

    Conn(long id, Socket socket, Runnable onClose) throws IOException {
        this.id = id;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.source = remote.getAddress();
        this.onClose = onClose;
    }

    void deadlineIn(Duration d) {
        deadline = System.nanoTime() + d.toNanos();
    }

    void deadlineInNanos(long nanos) {
        deadline = System.nanoTime() + nanos;
    }

    void noDeadline() {
        deadline = NO_DEADLINE;
    }

    boolean expired(long now) {
        long d = deadline;
        return d != NO_DEADLINE && now - d > 0;
    }

    void send(Frame f) throws IOException {
        byte[] bytes = f.encode();
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /** Sends an ERROR (with at most a second to do it) and closes. Never throws. */
    void fail(ErrorCode code, String message) {
        if (closed.get()) {
            return;
        }
        deadlineIn(Duration.ofSeconds(1));
        try {
            send(Frame.error(code, message));
        } catch (IOException | RuntimeException e) {
            // the peer is gone or not reading: closing is all that is left
        }
        close();
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * Ends the connection the clean way when the forwarder stops: a FIN first (TCP half-close), then the close,
     * so that a peer in the middle of a relay reads end of stream rather than a reset. TLS sockets cannot
     * half-close and are closed at once (their close sends close_notify).
     */
    void finish() {
        if (!closed.get() && !(socket instanceof SSLSocket)) {
            try {
                socket.shutdownOutput();
            } catch (IOException e) {
                // already half-closed or gone: close below
            }
        }
        close();
    }

    /** Closes the socket and releases the bounds; idempotent, never throws. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.close();
            } catch (IOException e) {
                // closed is closed
            }
            // the splice path's descriptor keeps the connection open past the JDK's close: shut it down, which also
            // wakes a pump waiting on it; the relay closes it once no pump uses it
            SocketFd d = fd;
            if (d != null) {
                d.shutdown();
            }
            onClose.run();
        }
    }

    /**
     * {@return the splice path's own descriptor for this plain TCP socket, looked up on the first call; null if there
     * is none (TLS, not Linux, closed)} Only the relay calls it, and it closes the descriptor with {@link #releaseFd}.
     */
    synchronized SocketFd fd() {
        if (!fdLooked) {
            fdLooked = true;
            if (!(socket instanceof SSLSocket) && socket.getChannel() != null) {
                SocketFd d = SocketFd.of(socket);
                fd = d;
                // a close that ran before fd was set did not see it (both fields are volatile: one of the two sees
                // the other)
                if (d != null && closed.get()) {
                    d.shutdown();
                }
            }
        }
        return fd;
    }

    /** Closes the splice path's descriptor, once no pump uses it. */
    synchronized void releaseFd() {
        SocketFd d = fd;
        if (d != null) {
            d.close();
        }
    }

    String remoteText() {
        return remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }
}
