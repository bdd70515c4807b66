package dev.natgw.traversal;

import static dev.natgw.traversal.Publication.quietly;

import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Direct publishing, one of a {@link TraversalServer}'s two state machines: probe, then listen, announce
 * {@code tcp://address} and re-probe, until closed or no longer reachable.
 *
 * <p>
 * {@link #tryDirect} binds a listener, starts the one thread that accepts on it for its whole life, and asks up to
 * three forwarders to probe it (docs/protocol.md, section 6); only the forwarder's nonce heard on the listener makes
 * it direct. While direct, {@link #run} renews the announcement every third of its TTL and re-probes every
 * {@link TraversalOptions#reprobeInterval()}: a forwarder's answer that the listener is not reached ends the phase
 * and the server turns to {@link ForwardedPublishing}; reached at another address, it announces the new one. While a
 * probe is under way, connections that arrive are read for at most {@link #PROBE_READ} to tell the forwarder's probe
 * from clients; a client's bytes read then are given back to the application unchanged.
 *
 * <p>
 * Leaving the direct phase is make-before-break: the listener keeps accepting, and {@code tcp://…} stays announced,
 * until a forwarder's announcement has replaced it and {@link Publication#handover()} has passed (or, if no forwarder
 * takes the server, until the announcement's TTL has run out), so that clients who looked the key up before the
 * change still get in. A later probe that reaches the retiring listener makes it the direct one again.
 *
 * <p>
 * Invariants: {@link #listening()} and {@link #endpoint()} are set together by a successful probe and cleared
 * together when the phase ends; the listener's socket timeout is never set (its accepting thread ends only when it
 * closes). Thread-safe.
 */
final class DirectPublishing {
    private static final System.Logger LOG = System.getLogger(TraversalServer.class.getName());
    /** How long a connection arriving during a probe may take to show it is the probe. */
    static final Duration PROBE_READ = Duration.ofSeconds(1);
    /** The pause after an accept that failed with the listener still open (out of file descriptors, say). */
    private static final Duration ACCEPT_RETRY = Duration.ofMillis(100);
    /** How often a retiring listener checks whether its time is up. */
    private static final Duration RETIRE_CHECK = Duration.ofMillis(100);
    /** PROBE_HELLO as it starts on the wire: the frame header and the nonce's length. */
    private static final byte[] PROBE_HELLO_HEAD = Arrays.copyOf(new Payload.Writer().bytes(new byte[Keys.NONCE_BYTES])
            .frame(MessageType.PROBE_HELLO).encode(), 8);
    private static final int PROBE_HELLO_LENGTH = PROBE_HELLO_HEAD.length + Keys.NONCE_BYTES;

    private final Publication p;
    /** Bounds the connections being sorted at once during a probe; the accepting thread waits for a slot. */
    private final Semaphore sorting;
    private volatile ServerSocket listener;
    private volatile Endpoint endpoint;
    /** Set while a probe waits for the forwarder's nonce. */
    private final AtomicReference<AtomicReference<byte[]>> probeWatch = new AtomicReference<>();
    /** The listener of the direct phase that ended, still accepting until retireBy. */
    private final AtomicReference<ServerSocket> retiring = new AtomicReference<>();
    private volatile long retireBy;

    DirectPublishing(Publication p) {
        this.p = p;
        this.sorting = new Semaphore(p.options.backlog());
    }

    /** {@return true while a direct listener is up (the publisher runs this phase)} */
    boolean listening() {
        return listener != null;
    }

    /** {@return where clients reach this server directly, or null while not direct} */
    Endpoint endpoint() {
        return endpoint;
    }

    /** Closes the listeners, if any: the server closes. */
    void close() {
        closeQuietly(listener);
        closeQuietly(retiring.getAndSet(null));
    }

    /**
     * Has forwarders probe a listener, the retiring one if there is one, else a new one; keeps it if a probe's nonce
     * arrives on it.
     *
     * @return true if the server is reachable directly now
     * @throws IOException if the listener cannot be bound
     */
    boolean tryDirect() throws IOException {
        ServerSocket ss = retiring.get();
        boolean fresh = ss == null;
        if (fresh) {
            ss = new ServerSocket();
            try {
                ss.setReuseAddress(true);
                ss.bind(p.options.directBind(), 128);
            } catch (IOException e) {
                closeQuietly(ss);
                throw e;
            }
            ServerSocket bound = ss;
            Thread.ofVirtual().name("natgw-traversal-accept").start(() -> acceptAll(bound));
        }
        Answer a = ask(ss);
        if (a != null && a.reached() != null && (fresh || retiring.compareAndSet(ss, null))) {
            endpoint = a.reached();
            listener = ss;
            if (p.closed) {
                // closed while probing: close() may have run before the listener was set
                close();
                return false;
            }
            LOG.log(Level.INFO, p.key() + " is reachable directly at " + endpoint);
            return true;
        }
        LOG.log(Level.INFO, p.key() + " is not reachable directly (" + (a == null
                ? "no forwarder answered the probe"
                : a.detail()) + ")");
        if (fresh) {
            closeQuietly(ss);
        }
        return false;
    }

    /** Announces tcp://…, renews it and re-probes, until closed or no longer reachable. */
    void run() {
        ServerSocket ss = listener;
        boolean unreachable = false;
        try {
            p.replaceAnnouncement(endpoint.toString());
            long announceEvery = p.options.announceTtl().dividedBy(3).toNanos();
            long probeEvery = p.options.reprobeInterval().toNanos();
            long nextAnnounce = System.nanoTime() + announceEvery;
            long nextProbe = System.nanoTime() + probeEvery;
            while (!p.closed) {
                long now = System.nanoTime();
                long wait = Math.min(nextAnnounce, nextProbe) - now;
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                    continue;
                }
                if (nextAnnounce - now <= 0) {
                    p.announce(endpoint.toString());
                    nextAnnounce = now + announceEvery;
                }
                if (nextProbe - now <= 0) {
                    unreachable = !reprobe(ss);
                    if (unreachable) {
                        return;
                    }
                    nextProbe = System.nanoTime() + probeEvery;
                }
            }
        } catch (InterruptedException e) {
            // closed
        } finally {
            endpoint = null;
            listener = null;
            if (unreachable && !p.closed) {
                retire(ss);
            } else {
                closeQuietly(ss);
                if (!p.closed) {
                    // clients must not keep trying an address that no longer reaches this server
                    p.withdrawAnnouncement();
                }
            }
        }
    }

    /**
     * The forwarder's announcement has replaced {@code tcp://…}: the retiring listener, if any, closes after
     * {@link Publication#handover()}.
     */
    void handedOver() {
        long by = System.nanoTime() + p.handover().toNanos();
        if (retiring.get() != null && by - retireBy < 0) {
            retireBy = by;
        }
    }

    /**
     * Keeps the listener of the direct phase that ended accepting, its tcp://… still announced, until the forwarder's
     * announcement replaces it (then {@link #handedOver}) or, failing that, until the announcement's TTL has run out.
     */
    private void retire(ServerSocket ss) {
        retireBy = System.nanoTime() + p.options.announceTtl().toNanos();
        retiring.set(ss);
        Thread.ofVirtual().name("natgw-traversal-retire").start(() -> {
            try {
                while (retiring.get() == ss && System.nanoTime() - retireBy < 0) {
                    Thread.sleep(RETIRE_CHECK);
                }
            } catch (InterruptedException e) {
                // close now
            }
            if (retiring.compareAndSet(ss, null)) {
                closeQuietly(ss);
            }
        });
    }

    /**
     * Accepts on a listener until it closes: to the end-to-end handshake and then the queue, or, while a probe is
     * under way, to be sorted out first. A
     * failed accept with the listener still open (out of file descriptors, a connection reset before it was taken)
     * is retried after {@link #ACCEPT_RETRY}: it never ends accepting for good.
     */
    private void acceptAll(ServerSocket ss) {
        while (!p.closed && !ss.isClosed()) {
            Socket s;
            try {
                s = ss.accept();
                s.setTcpNoDelay(true);
            } catch (IOException e) {
                if (p.closed || ss.isClosed()) {
                    return;
                }
                LOG.log(Level.DEBUG, "accept on " + ss.getLocalSocketAddress() + " failed: " + e.getMessage());
                try {
                    Thread.sleep(ACCEPT_RETRY);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            AtomicReference<byte[]> watch = probeWatch.get();
            if (watch == null) {
                p.admit(s);
                continue;
            }
            try {
                sorting.acquire();
            } catch (InterruptedException e) {
                quietly(s);
                return;
            }
            Thread.ofVirtual().name("natgw-traversal-sort").start(() -> {
                Socket client;
                try {
                    client = sortOut(s, watch);
                } finally {
                    sorting.release();
                }
                if (client != null) {
                    p.admit(client);
                }
            });
        }
    }

    /**
     * Reads the start of a connection that arrived during a probe: the forwarder's PROBE_HELLO gives its nonce to the
     * watch and is closed; anything else is returned for the application, with the bytes read given back.
     *
     * @return the client's socket, or null if it was the probe or failed
     */
    private static Socket sortOut(Socket s, AtomicReference<byte[]> watch) {
        byte[] head = new byte[PROBE_HELLO_LENGTH];
        int n = 0;
        try {
            s.setSoTimeout((int) PROBE_READ.toMillis());
            InputStream in = s.getInputStream();
            while (n < head.length && Arrays.equals(head, 0, Math.min(n, PROBE_HELLO_HEAD.length), PROBE_HELLO_HEAD,
                    0, Math.min(n, PROBE_HELLO_HEAD.length))) {
                int r;
                try {
                    r = in.read(head, n, head.length - n);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (r < 0) {
                    break;
                }
                n += r;
            }
            if (n == head.length && Arrays.equals(head, 0, PROBE_HELLO_HEAD.length, PROBE_HELLO_HEAD, 0,
                    PROBE_HELLO_HEAD.length)) {
                watch.set(Arrays.copyOfRange(head, PROBE_HELLO_HEAD.length, head.length));
                quietly(s);
                return null;
            }
            s.setSoTimeout(0);
            return n == 0 ? s : new ReplaySocket(s, Arrays.copyOf(head, n));
        } catch (IOException e) {
            quietly(s);
            return null;
        }
    }

    /** A forwarder's answer to a probe: where it reached the listener (null: not reached), and what it said. */
    private record Answer(Endpoint reached, String detail) {
    }

    /**
     * Asks up to three forwarders in turn to probe the listener; the first that answers decides.
     *
     * @return its answer, or null if none answered
     */
    private Answer ask(ServerSocket ss) {
        List<Endpoint> forwarders = p.forwarders();
        for (Endpoint f : forwarders.subList(0, Math.min(3, forwarders.size()))) {
            AtomicReference<byte[]> heard = new AtomicReference<>();
            probeWatch.set(heard);
            try {
                Wire.ProbeResult result = Wire.probe(f, ss.getLocalPort(), p.options);
                // the forwarder answers after the listener closed its connection, so the nonce is in by now
                boolean reached = result.reachable() && heard.get() != null && Arrays.equals(heard.get(), result
                        .nonce());
                return new Answer(reached ? Endpoint.parse(Endpoint.DIRECT + "://" + result.address()) : null, result
                        .detail());
            } catch (IOException | IllegalArgumentException e) {
                LOG.log(Level.DEBUG, "probe through " + f + " failed: " + e.getMessage());
            } finally {
                probeWatch.set(null);
            }
        }
        return null;
    }

    /**
     * Asks a forwarder to probe the live listener; announces the new address if it was reached at another one.
     *
     * @return false only on a forwarder's answer that it was not reached; no forwarder answering decides nothing
     */
    private boolean reprobe(ServerSocket ss) {
        Answer a = ask(ss);
        if (a == null) {
            return true;
        }
        if (a.reached() == null) {
            LOG.log(Level.INFO, p.key() + " is no longer reachable directly at " + endpoint + " (" + a.detail()
                    + "): moving to a forwarder");
            return false;
        }
        if (!a.reached().equals(endpoint)) {
            LOG.log(Level.INFO, p.key() + " is now reachable directly at " + a.reached() + ", was " + endpoint);
            endpoint = a.reached();
            p.replaceAnnouncement(a.reached().toString());
        }
        return true;
    }

    private static void closeQuietly(ServerSocket ss) {
        if (ss != null) {
            try {
                ss.close();
            } catch (IOException e) {
                // closing
            }
        }
    }
}
