package dev.natgw.forwarder.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's admission rules and deadlines: every accepted socket is counted against {@code max.connections}
 * and its source prefixes' counts and rates ({@link PrefixLimits}: IPv4 /32 and /24, IPv6 /64 and /48) on the accept
 * thread, before any thread starts for it, and
 * refused with a plain close past either bound. An admitted connection gets the handshake deadline and its own
 * virtual thread; the reaper closes every connection whose deadline passed, which is how each wait on it is bounded.
 *
 * <p>
 * Invariant: {@link #open()} counts exactly the admitted connections not yet closed; a connection's place (overall
 * and per source) is given back once, when it closes. Thread-safe.
 */
final class Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    private final ForwarderSettings settings;
    private final AtomicLong ids;
    private final EngineCounters counters;
    private final Consumer<Conn> handler;
    private final PrefixLimits sources;
    private final ConcurrentHashMap<Long, Conn> conns = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    /**
     * @param ids the engine's id sequence, shared with the relays
     * @param handler runs an admitted connection, on its own virtual thread
     */
    Admission(ForwarderSettings settings, AdmissionSettings admission, AtomicLong ids, EngineCounters counters,
            Consumer<Conn> handler) {
        this.settings = settings;
        this.ids = ids;
        this.counters = counters;
        this.handler = handler;
        this.sources = new PrefixLimits(admission.maxConnectionsPerSource(), admission.maxConnectionsPerNetwork(),
                admission.ratePerSource(), admission.ratePerNetwork(), settings.maxConnections() * 2);
    }

    /** Accepts until the listener closes; runs on the engine's accept thread. */
    void acceptLoop(ServerSocket ss) {
        while (!ss.isClosed()) {
            Socket s;
            try {
                s = ss.accept();
            } catch (IOException e) {
                if (!ss.isClosed()) {
                    LOG.warn("forwarder accept failed: {}", e.getMessage());
                    // an accept error (out of file descriptors) repeats at once: do not spin on it
                    sleepQuietly(50);
                }
                continue;
            }
            admit(s);
        }
    }

    private void admit(Socket s) {
        InetAddress source = s.getInetAddress();
        if (open.incrementAndGet() > settings.maxConnections()) {
            open.decrementAndGet();
            counters.refused.increment();
            closeQuietly(s);
            return;
        }
        PrefixLimits.Verdict v = sources.acquire(source, System.nanoTime());
        if (v != PrefixLimits.Verdict.OK) {
            open.decrementAndGet();
            counters.refused.increment();
            closeQuietly(s);
            return;
        }
        long id = ids.incrementAndGet();
        Conn conn;
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            conn = new Conn(id, s, () -> {
                conns.remove(id);
                open.decrementAndGet();
                sources.release(source);
            });
        } catch (IOException e) {
            open.decrementAndGet();
            sources.release(source);
            closeQuietly(s);
            return;
        }
        conn.deadlineIn(settings.handshakeTimeout());
        conns.put(id, conn);
        Thread.ofVirtual().name("natgw-fwd-" + id).start(() -> handler.accept(conn));
    }

    /** Closes the connections whose deadline passed and forgets idle sources; runs on the engine's timer. */
    void reap() {
        try {
            long now = System.nanoTime();
            for (Conn c : conns.values()) {
                if (c.expired(now)) {
                    c.timedOut = true;
                    counters.timeouts.increment();
                    c.close();
                }
            }
            sources.sweep(now);
        } catch (RuntimeException e) {
            LOG.warn("forwarder timer: {}", e.toString());
        }
    }

    /** Ends every open connection the clean way (a FIN first): the forwarder stops. */
    void finishAll() {
        for (Conn c : new ArrayList<>(conns.values())) {
            c.finish();
        }
    }

    /** {@return the connections admitted and not yet closed} */
    int open() {
        return Math.max(0, open.get());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // refused anyway
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
