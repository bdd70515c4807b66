package dev.natgw.traversal;

import static dev.natgw.traversal.Publication.quietly;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A relayed end-to-end connection that can move to a direct path under the application without loss or reordering
 * (docs/protocol.md, section 11a). On the relay the application's bytes travel in frames ({@code u8 kind, u16 length,
 * body}) inside the end-to-end TLS stream, so that the two ends can put their control messages between them: the
 * candidates, the outcome of each side's punch and, per direction, the switch marker after the last byte sent on the
 * relay. Each direction switches on its own: the writer sends the marker and writes on, unframed, on the direct
 * end-to-end connection; the reader reads the relay up to the marker and then the direct connection. Once both
 * directions switched, the relay is closed.
 *
 * <p>
 * Framing above TLS rather than between TLS records below it: the control messages are then authenticated by the
 * end-to-end channel (a forwarder cannot forge a marker or a candidate), and the end-to-end handshake code is used
 * unchanged on the direct path. The cost is three bytes per chunk while relayed; once direct, bytes are written and
 * read straight through.
 *
 * <p>
 * One virtual thread reads the relay until the marker (or the end), so control messages arrive while the application
 * only writes; the application's bytes it reads wait in a buffer of {@value #INBOX_BYTES} bytes, beyond which it stops
 * reading (the relay's flow control holds the peer). Thread-safe as a socket: one reader and one writer at a time.
 */
public final class UpgradableSocket extends DelegatingSocket {
    static final int DATA = 0;
    static final int CANDIDATE = 1;
    static final int PUNCHED = 2;
    static final int SWITCH = 3;
    /** The largest frame body. */
    static final int MAX_BODY = 16 * 1024;
    /** The application bytes read from the relay and not yet taken. */
    static final int INBOX_BYTES = 256 * 1024;

    /** How an upgrade ended: on the direct path or on the relay, why, and how long after the connection it took. */
    public record Outcome(boolean direct, String detail, Duration took) {
    }

    /** A control message from the peer. */
    record Control(int kind, byte[] body) {
    }

    private final InputStream relayIn;
    private final OutputStream relayOut;
    private final Inbox inbox = new Inbox();
    /**
     * Control messages from the peer: at most {@value #CONTROL_KEPT} are kept (the protocol needs two) and later ones
     * dropped, which leaves room for the mark that the relay's reader ended.
     */
    private final BlockingQueue<Control> control = new ArrayBlockingQueue<>(CONTROL_KEPT + 1);
    private static final int CONTROL_KEPT = 4;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final Object writeLock = new Object();
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    /** The authenticated direct connection, set before this side says its punch worked. */
    private volatile Socket direct;
    /** Where the application's bytes go once this side's direction switched; guarded by writeLock. */
    private OutputStream directOut;
    private boolean outputShut;
    private volatile boolean readSwitched;
    private volatile boolean writeSwitched;
    private volatile boolean closed;
    private volatile int soTimeout;

    /** @param relay the end-to-end connection over the forwarder, speaking {@link E2e#ALPN_UPGRADE} */
    UpgradableSocket(Socket relay) throws IOException {
        super(relay);
        this.relayIn = relay.getInputStream();
        this.relayOut = relay.getOutputStream();
        Thread.ofVirtual().name("natgw-traversal-relay-reader").start(this::pump);
    }

    /** {@return how the upgrade to a direct path ended, once it has} */
    public CompletionStage<Outcome> upgrade() {
        return outcome.minimalCompletionStage();
    }

    /** {@return true once this side writes on the direct path} */
    public boolean direct() {
        return writeSwitched && direct != null;
    }

    void finish(Outcome o) {
        outcome.complete(o);
    }

    // ---- the relay's reader

    private void pump() {
        try {
            while (true) {
                int kind = relayIn.read();
                if (kind < 0) {
                    inbox.end(null);
                    return;
                }
                int length = relayIn.read() << 8 | relayIn.read();
                if (length < 0 || length > MAX_BODY) {
                    throw new IOException("the peer sent a frame of " + length + " bytes on the upgradable channel");
                }
                byte[] body = relayIn.readNBytes(length);
                if (body.length < length) {
                    throw new EOFException("the relay ended inside a frame");
                }
                switch (kind) {
                    case DATA -> inbox.put(body);
                    case CANDIDATE, PUNCHED -> {
                        if (control.size() < CONTROL_KEPT) {
                            control.offer(new Control(kind, body));
                        }
                    }
                    case SWITCH -> {
                        if (direct == null) {
                            throw new IOException("the peer switched to a direct path that was not agreed");
                        }
                        readSwitched = true;
                        inbox.end(null);
                        closeRelayIfDone();
                        return;
                    }
                    default -> throw new IOException("unknown frame kind " + kind + " on the upgradable channel");
                }
            }
        } catch (IOException e) {
            inbox.end(e);
        } catch (InterruptedException e) {
            inbox.end(new InterruptedIOException("closed"));
        } finally {
            // whoever waits for a control message learns, after those that came, that no more will
            control.offer(new Control(-1, new byte[0]));
        }
    }

    /**
     * {@return the next control message of this kind} Others are dropped.
     *
     * @throws IOException if the relay ended first or the time ran out (null timeout: no limit)
     */
    byte[] await(int kind, Duration timeout) throws IOException {
        long end = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = end - System.nanoTime();
                Control c = timeout == null ? control.take() : control.poll(left, TimeUnit.NANOSECONDS);
                if (c == null) {
                    throw new SocketTimeoutException("no answer from the peer in " + timeout.toMillis() + " ms");
                }
                if (c.kind() < 0) {
                    control.offer(c);
                    throw new EOFException("the relay ended");
                }
                if (c.kind() == kind) {
                    return c.body();
                }
            }
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted");
        }
    }

    // ---- the relay's writer

    /**
     * Sends a control message on the relay, unless this direction already switched or was shut.
     *
     * @return false if it was not sent
     */
    boolean send(int kind, byte[] body) throws IOException {
        synchronized (writeLock) {
            if (directOut != null || outputShut) {
                return false;
            }
            frame(kind, body, 0, body.length);
            relayOut.flush();
            return true;
        }
    }

    private void frame(int kind, byte[] b, int off, int len) throws IOException {
        byte[] f = new byte[3 + len];
        f[0] = (byte) kind;
        f[1] = (byte) (len >>> 8);
        f[2] = (byte) len;
        System.arraycopy(b, off, f, 3, len);
        relayOut.write(f);
    }

    /** Remembers the authenticated direct connection; called before this side says its punch worked. */
    void directReady(Socket d) throws IOException {
        d.setSoTimeout(soTimeout);
        direct = d;
    }

    /** Moves this side's direction to the direct connection: the marker after the last byte on the relay. */
    void switchWrite() throws IOException {
        synchronized (writeLock) {
            if (!outputShut) {
                frame(SWITCH, new byte[0], 0, 0);
                relayOut.flush();
                directOut = direct.getOutputStream();
            }
            writeSwitched = true;
        }
        closeRelayIfDone();
    }

    /** Closes the relay once neither direction uses it any more. */
    private void closeRelayIfDone() {
        if (readSwitched && writeSwitched) {
            quietly(socket);
        }
    }

    // ---- the socket's face

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public synchronized void setSoTimeout(int timeout) throws SocketException {
        soTimeout = timeout;
        Socket d = direct;
        if (d != null) {
            d.setSoTimeout(timeout);
        }
    }

    @Override
    public synchronized int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void shutdownOutput() throws IOException {
        synchronized (writeLock) {
            if (directOut != null) {
                direct.shutdownOutput();
            } else {
                socket.shutdownOutput();
            }
            outputShut = true;
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        inbox.end(new SocketException("Socket closed"));
        try {
            super.close();
        } finally {
            quietly(direct);
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = inbox.take(b, off, len, soTimeout);
            if (n == Inbox.SWITCHED) {
                return direct.getInputStream().read(b, off, len);
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            UpgradableSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (writeLock) {
                if (directOut != null) {
                    directOut.write(b, off, len);
                    return;
                }
                for (int done = 0; done < len; done += MAX_BODY) {
                    frame(DATA, b, off + done, Math.min(MAX_BODY, len - done));
                }
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (writeLock) {
                (directOut != null ? directOut : relayOut).flush();
            }
        }

        @Override
        public void close() throws IOException {
            UpgradableSocket.this.close();
        }
    }

    /** The application's bytes read from the relay, bounded; ends at the marker (then: the direct path) or the end. */
    private final class Inbox {
        static final int SWITCHED = -2;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        private int offset;
        private int bytes;
        private boolean ended;
        private IOException failure;

        void put(byte[] chunk) throws InterruptedException {
            if (chunk.length == 0) {
                return;
            }
            lock.lock();
            try {
                while (bytes >= INBOX_BYTES && !ended) {
                    changed.await();
                }
                if (!ended) {
                    chunks.add(chunk);
                    bytes += chunk.length;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        void end(IOException why) {
            lock.lock();
            try {
                if (!ended) {
                    ended = true;
                    failure = why;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** {@return bytes taken, -1 at the end, or {@link #SWITCHED}: read the direct path from now on} */
        int take(byte[] b, int off, int len, int timeoutMillis) throws IOException {
            lock.lock();
            try {
                long left = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                while (chunks.isEmpty()) {
                    if (ended) {
                        if (failure != null) {
                            throw failure;
                        }
                        return readSwitched ? SWITCHED : -1;
                    }
                    if (timeoutMillis == 0) {
                        changed.await();
                    } else if (left <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    } else {
                        left = changed.awaitNanos(left);
                    }
                }
                byte[] head = chunks.peek();
                int n = Math.min(len, head.length - offset);
                System.arraycopy(head, offset, b, off, n);
                offset += n;
                bytes -= n;
                if (offset == head.length) {
                    chunks.poll();
                    offset = 0;
                }
                changed.signalAll();
                return n;
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted");
            } finally {
                lock.unlock();
            }
        }
    }
}
