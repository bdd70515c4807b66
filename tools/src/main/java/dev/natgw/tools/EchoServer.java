package dev.natgw.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCP echo server for load tests: each connection gets a virtual thread that writes back what it reads, with a
 * buffer of {@link #BUFFER} bytes. At most {@code max} connections are served at once; a connection beyond that is
 * reset as soon as it is accepted. A connection with no progress (nothing read or written) for the idle time is
 * closed by a sweeper, which also frees one whose peer stopped reading. Memory and descriptors are so bounded by
 * {@code max}, whatever the peers do.
 */
public final class EchoServer implements AutoCloseable {

    /** Bytes of each connection's buffer. */
    public static final int BUFFER = 4096;

    private final ServerSocket listener;
    private final int max;
    private final long idleNanos;
    private final Semaphore slots;
    private final Map<Socket, AtomicLong> open = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final LongAdder echoed = new LongAdder();
    private final Thread acceptor;
    private final Thread sweeper;

    /** Binds {@code bind} (port 0 picks one) and starts serving. */
    public EchoServer(InetSocketAddress bind, int max, Duration idle) throws IOException {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        if (idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("idle time must be positive, got " + idle);
        }
        this.max = max;
        this.idleNanos = idle.toNanos();
        this.slots = new Semaphore(max);
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(bind, Math.min(max, 4096));
        acceptor = Thread.ofPlatform().name("tcpload-accept").daemon(true).unstarted(this::acceptLoop);
        sweeper = Thread.ofPlatform().name("tcpload-sweep").daemon(true).unstarted(this::sweepLoop);
        acceptor.start();
        sweeper.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public int max() {
        return max;
    }

    public long accepted() {
        return accepted.sum();
    }

    public long refused() {
        return refused.sum();
    }

    public long idleClosed() {
        return idleClosed.sum();
    }

    public int active() {
        return open.size();
    }

    /** Bytes written back so far. */
    public long echoed() {
        return echoed.sum();
    }

    /** The counters as one JSON line. */
    public String stats() {
        return new Json().put("mode", "server").put("port", port()).put("accepted", accepted()).put("refused",
                refused()).put("active", active()).put("idleClosed", idleClosed()).put("echoedBytes", echoed())
                .toString();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
                // out of descriptors or a transient error: back off a little instead of spinning
                pause(10);
                continue;
            }
            if (!slots.tryAcquire()) {
                refused.increment();
                reset(socket);
                continue;
            }
            accepted.increment();
            AtomicLong lastProgress = new AtomicLong(System.nanoTime());
            open.put(socket, lastProgress);
            Thread.ofVirtual().name("tcpload-echo").start(() -> echo(socket, lastProgress));
        }
    }

    private void echo(Socket socket, AtomicLong lastProgress) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) > 0) {
                lastProgress.set(System.nanoTime());
                out.write(buffer, 0, n);
                lastProgress.set(System.nanoTime());
                echoed.add(n);
            }
        } catch (IOException e) {
            // reset by the peer, or closed by the sweeper or close(): the connection is over either way
        } finally {
            open.remove(socket);
            slots.release();
        }
    }

    private void sweepLoop() {
        long period = Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(idleNanos) / 4, 1000));
        while (!listener.isClosed()) {
            pause(period);
            long now = System.nanoTime();
            open.forEach((socket, lastProgress) -> {
                if (now - lastProgress.get() > idleNanos && open.remove(socket) != null) {
                    idleClosed.increment();
                    closeQuietly(socket);
                }
            });
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // closed anyway below
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting, closes every connection, and waits (at most 5 s) for the server's threads. */
    @Override
    public void close() throws IOException {
        listener.close();
        open.keySet().forEach(EchoServer::closeQuietly);
        try {
            acceptor.join(Duration.ofSeconds(5));
            sweeper.interrupt();
            sweeper.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
