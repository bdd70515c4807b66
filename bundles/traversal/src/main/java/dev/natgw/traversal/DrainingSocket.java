package dev.natgw.traversal;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The transport under an end-to-end TLS layer (a forwarder's TLS connection, or plain TCP), closed the graceful way:
 * half-close, read what the peer still sends until its end of stream, then close. A socket closed with unread bytes in
 * its receive buffer makes the kernel answer with a reset instead of a FIN, and throw away what this host has not sent
 * yet (its send buffer): through a TLS forwarder, the forwarder's own close_notify, which the end-to-end layer never
 * reads, was such a byte, and the end of an echo was lost about one time in three. Reading to the peer's end of stream
 * first leaves nothing unread.
 *
 * <p>
 * The drain is bounded against a peer that never ends its side: at most {@link #DRAIN_TIME} and {@link #DRAIN_BYTES}
 * bytes, read into one small buffer and dropped; past either bound the socket is closed as it is. It runs in the
 * background, so {@link #close()} returns at once while the peer keeps its side open: on a virtual thread that waits
 * for a second one reading, so that a read blocked elsewhere on the same socket cannot hold the close past the bound
 * (the socket is closed then, which ends both). At most {@link #MAX_BACKGROUND} drains run in the background at once
 * in this JVM (two virtual threads and one buffer of {@value #BUFFER} bytes each); a close beyond that drains in the
 * caller's thread, still within the bound. JSSE's {@code shutdownInput} on the layer above (its duplex close) is
 * recorded, not passed down: passed down it would end the transport's input with the peer's bytes unread.
 *
 * <p>
 * Its input also records whether the layer above read the transport's own end of stream before this socket was closed
 * here ({@link #cutShort()}). JSSE reads record by record and never past one, so after the peer's close_notify it ends
 * its stream without reading the transport's end; if it read that end, the transport ended first: the stream was cut
 * short on the way, which JSSE alone reports as an ordinary end of stream ({@link E2eSocket} does not).
 */
final class DrainingSocket extends DelegatingSocket {
    /** The longest a close waits for the peer's end of stream. */
    static final Duration DRAIN_TIME = Duration.ofSeconds(2);
    /** The most a close reads (and drops) while it waits. */
    static final int DRAIN_BYTES = 1 << 20;
    /** The most drains under way in the background at once; a close beyond them drains in its caller's thread. */
    static final int MAX_BACKGROUND = 4096;
    private static final int BUFFER = 4096;
    private static final Semaphore BACKGROUND = new Semaphore(MAX_BACKGROUND);

    private final AtomicBoolean closed = new AtomicBoolean();
    private final InputStream in;
    private volatile boolean inputShut;
    private volatile boolean cutShort;

    DrainingSocket(Socket socket) throws IOException {
        super(socket);
        this.in = new WatchedInput(socket.getInputStream()) {
            @Override
            int seen(int n) {
                if (n < 0 && !closed.get()) {
                    cutShort = true;
                }
                return n;
            }
        };
    }

    /** The transport's input, watched for its end of stream. */
    @Override
    public InputStream getInputStream() {
        return in;
    }

    /**
     * {@return true if a read of {@link #getInputStream()} met the transport's end of stream while this socket was
     * not closed here: the transport ended under the layer above}
     */
    boolean cutShort() {
        return cutShort;
    }

    @Override
    public void shutdownInput() {
        inputShut = true;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShut || socket.isInputShutdown();
    }

    @Override
    public boolean isClosed() {
        return closed.get() || socket.isClosed();
    }

    /**
     * Half-closes, drains the peer's input to its end of stream (bounded), closes; in the background, so it returns at
     * once unless {@link #MAX_BACKGROUND} drains are under way already (then within the bound).
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            finishLater(socket, DRAIN_TIME, DRAIN_BYTES);
        }
    }

    /** {@link #finish}, in the background while fewer than {@link #MAX_BACKGROUND} run there, else at once. */
    static void finishLater(Socket s, Duration time, long bytes) {
        if (!BACKGROUND.tryAcquire()) {
            finish(s, time, bytes);
            return;
        }
        try {
            Thread.ofVirtual().name("natgw-traversal-close").start(() -> {
                try {
                    finish(s, time, bytes);
                } finally {
                    BACKGROUND.release();
                }
            });
        } catch (RuntimeException | Error e) {
            BACKGROUND.release();
            finish(s, time, bytes);
        }
    }

    /** {@return how many drains run in the background now} */
    static int inBackground() {
        return MAX_BACKGROUND - BACKGROUND.availablePermits();
    }

    /**
     * Ends a connection gracefully: half-closes it, reads and drops what the peer still sends until its end of stream,
     * for at most time and bytes, and closes it. Never throws; returns within time (plus scheduling).
     */
    static void finish(Socket s, Duration time, long bytes) {
        long end = System.nanoTime() + time.toNanos();
        Thread drain = Thread.ofVirtual().name("natgw-traversal-drain").start(() -> drain(s, end, bytes));
        try {
            drain.join(time);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                s.close();
            } catch (IOException e) {
                // closed is closed
            }
        }
    }

    private static void drain(Socket s, long end, long bytes) {
        try {
            if (!s.isOutputShutdown()) {
                s.shutdownOutput();
            }
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[BUFFER];
            long left = bytes;
            while (left > 0) {
                long ms = (end - System.nanoTime()) / 1_000_000;
                if (ms <= 0) {
                    return;
                }
                s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, ms));
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    return;
                }
                left -= n;
            }
        } catch (SocketTimeoutException e) {
            // the peer did not end its side in time: closed as it is
        } catch (IOException | RuntimeException e) {
            // reset, closed meanwhile, or a TLS socket that cannot half-close: closed as it is
        }
    }
}
