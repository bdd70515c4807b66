package dev.natgw.traversal;

import static dev.natgw.traversal.Publication.quietly;

import dev.natgw.traversal.protocol.Frame;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Direct publishing, one of a {@link TraversalServer}'s two state machines: probe, then listen, announce
 * {@code tcp://address} and re-probe, until closed or no longer reachable.
 *
 * <p>
 * {@link #tryDirect} binds a listener and asks up to three forwarders to probe it (docs/protocol.md, section 6); only
 * the forwarder's nonce heard on the listener makes it direct. While direct, {@link #run} accepts into the queue,
 * renews the announcement every third of its TTL and re-probes every {@link TraversalOptions#reprobeInterval()}: a
 * forwarder's answer that the listener is not reached ends the phase (the announcement withdrawn, the listener
 * closed) and the server turns to {@link ForwardedPublishing}; reached at another address, it announces the new one.
 * While a re-probe of the live listener is under way, connections that arrive are read for at most
 * {@link #PROBE_READ} to tell the forwarder's probe from clients; a client's bytes read then are given back to the
 * application unchanged.
 *
 * <p>
 * Invariant: {@link #listening()} and {@link #endpoint()} are set together by a successful probe and cleared
 * together when the phase ends. Thread-safe.
 */
final class DirectPublishing {
    private static final System.Logger LOG = System.getLogger(TraversalServer.class.getName());
    private static final Duration PROBE_WAIT = Duration.ofSeconds(8);
    /** How long a connection arriving during a re-probe of the live listener may take to show it is the probe. */
    static final Duration PROBE_READ = Duration.ofSeconds(1);
    /** PROBE_HELLO as it starts on the wire: the frame header and the nonce's length. */
    private static final byte[] PROBE_HELLO_HEAD = Arrays.copyOf(new Payload.Writer().bytes(new byte[Keys.NONCE_BYTES])
            .frame(MessageType.PROBE_HELLO).encode(), 8);
    private static final int PROBE_HELLO_LENGTH = PROBE_HELLO_HEAD.length + Keys.NONCE_BYTES;

    private final Publication p;
    private volatile ServerSocket listener;
    private volatile Endpoint endpoint;
    /** Set while a re-probe of the live direct listener waits for the forwarder's nonce. */
    private final AtomicReference<AtomicReference<byte[]>> probeWatch = new AtomicReference<>();

    DirectPublishing(Publication p) {
        this.p = p;
    }

    /** {@return true while a direct listener is up (the publisher runs this phase)} */
    boolean listening() {
        return listener != null;
    }

    /** {@return where clients reach this server directly, or null while not direct} */
    Endpoint endpoint() {
        return endpoint;
    }

    /** Closes the listener, if any: the server closes. */
    void close() {
        ServerSocket d = listener;
        if (d != null) {
            try {
                d.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    /**
     * Binds a listener and has forwarders probe it; keeps it if a probe's nonce arrives on it.
     *
     * @return true if the server is reachable directly now
     * @throws IOException if the listener cannot be bound
     */
    boolean tryDirect() throws IOException {
        TraversalOptions options = p.options;
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(options.directBind(), 128);
        List<Endpoint> forwarders = p.forwarders();
        for (Endpoint f : forwarders.subList(0, Math.min(3, forwarders.size()))) {
            AtomicReference<byte[]> heard = new AtomicReference<>();
            Thread listening = Thread.ofVirtual().start(() -> heardNonce(ss, heard));
            try {
                Wire.ProbeResult result = Wire.probe(f, ss.getLocalPort(), options);
                if (result.reachable()) {
                    // the forwarder answers after the listener closed its connection: the nonce is in or arriving
                    listening.join(PROBE_WAIT.toMillis());
                }
                byte[] got = heard.get();
                if (result.reachable() && got != null && Arrays.equals(got, result.nonce())) {
                    listener = ss;
                    endpoint = Endpoint.parse(Endpoint.DIRECT + "://" + result.address());
                    LOG.log(Level.INFO, p.key() + " is reachable directly at " + endpoint);
                    return true;
                }
                LOG.log(Level.INFO, p.key() + " is not reachable directly (" + result.detail() + ")");
                break;
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "probe through " + f + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                listening.interrupt();
            }
        }
        ss.close();
        return false;
    }

    /** Accepts on the listener until a PROBE_HELLO arrives or PROBE_WAIT passes; keeps its nonce. */
    private static void heardNonce(ServerSocket ss, AtomicReference<byte[]> heard) {
        long end = System.nanoTime() + PROBE_WAIT.toNanos();
        try {
            while (heard.get() == null) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                ss.setSoTimeout((int) left);
                try (Socket s = ss.accept()) {
                    s.setSoTimeout(2000);
                    Frame f = Frame.read(s.getInputStream());
                    if (f.type() == MessageType.PROBE_HELLO) {
                        Payload.Reader r = f.reader();
                        byte[] nonce = r.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES);
                        r.end();
                        heard.set(nonce);
                    }
                } catch (IOException e) {
                    // not the forwarder, or too slow: keep listening until the deadline
                }
            }
        } catch (IOException e) {
            // listener closed
        }
    }

    /** Announces tcp://…, accepts into the queue and re-probes, until closed or no longer reachable. */
    void run() {
        ServerSocket ss = listener;
        Thread acceptor = Thread.ofVirtual().name("natgw-traversal-accept").start(() -> acceptDirect(ss));
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
                    if (reprobe(ss) == Reachability.UNREACHABLE) {
                        return;
                    }
                    nextProbe = System.nanoTime() + probeEvery;
                }
            }
        } catch (InterruptedException e) {
            // closed
        } finally {
            acceptor.interrupt();
            endpoint = null;
            listener = null;
            try {
                ss.close();
            } catch (IOException e) {
                // closing
            }
            if (!p.closed) {
                // clients must not keep trying an address that no longer reaches this server
                p.withdrawAnnouncement();
            }
        }
    }

    /** Accepts on the direct listener into the queue, sorting out the forwarder's probe while one is under way. */
    private void acceptDirect(ServerSocket ss) {
        while (!p.closed && !ss.isClosed()) {
            Socket s;
            try {
                s = ss.accept();
                s.setTcpNoDelay(true);
            } catch (IOException e) {
                return;
            }
            AtomicReference<byte[]> watch = probeWatch.get();
            if (watch != null) {
                Thread.ofVirtual().name("natgw-traversal-sort").start(() -> sortOut(s, watch));
            } else if (!p.enqueue(s)) {
                return;
            }
        }
    }

    /**
     * Reads the start of a connection that arrived during a re-probe: the forwarder's PROBE_HELLO gives its nonce
     * to the watch and is closed; anything else goes to the application with the bytes read given back.
     */
    private void sortOut(Socket s, AtomicReference<byte[]> watch) {
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
                return;
            }
            s.setSoTimeout(0);
            p.enqueue(n == 0 ? s : new ReplaySocket(s, Arrays.copyOf(head, n)));
        } catch (IOException e) {
            quietly(s);
        }
    }

    private enum Reachability {
        REACHABLE, UNREACHABLE, UNKNOWN
    }

    /**
     * Asks a forwarder to probe the live listener. Unreachable only on a forwarder's answer (it could not connect, or
     * whatever it reached did not hear its nonce); no forwarder answering decides nothing.
     */
    private Reachability reprobe(ServerSocket ss) {
        List<Endpoint> forwarders = p.forwarders();
        for (Endpoint f : forwarders.subList(0, Math.min(3, forwarders.size()))) {
            AtomicReference<byte[]> heard = new AtomicReference<>();
            probeWatch.set(heard);
            try {
                Wire.ProbeResult result = Wire.probe(f, ss.getLocalPort(), p.options);
                if (!result.reachable() || !Arrays.equals(heard.get(), result.nonce())) {
                    LOG.log(Level.INFO, p.key() + " is no longer reachable directly at " + endpoint + " ("
                            + result.detail() + "): moving to a forwarder");
                    return Reachability.UNREACHABLE;
                }
                Endpoint seen = Endpoint.parse(Endpoint.DIRECT + "://" + result.address());
                if (!seen.equals(endpoint)) {
                    LOG.log(Level.INFO, p.key() + " is now reachable directly at " + seen + ", was " + endpoint);
                    endpoint = seen;
                    p.replaceAnnouncement(seen.toString());
                }
                return Reachability.REACHABLE;
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "re-probe through " + f + " failed: " + e.getMessage());
            } finally {
                probeWatch.set(null);
            }
        }
        return Reachability.UNKNOWN;
    }
}
