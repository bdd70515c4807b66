package dev.natgw.traversal;

import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server published under its identity's key; {@link #accept()} yields ordinary sockets from its clients, each one
 * encrypted end to end after a handshake in which this server proved it holds the key's private key and the client
 * passed the server's {@link ClientPolicy} (docs/protocol.md, section 11). Its registry values carry the identity's
 * signature (section 10).
 *
 * <p>
 * On {@link #open}, unless {@link TraversalOptions#direct()} is off, it listens on a local port and asks a forwarder
 * to probe it (docs/protocol.md, section 6): if the forwarder's nonce arrives at the listener, the server is
 * reachable, announces {@code tcp://address} and accepts directly. Otherwise it registers with up to
 * {@link TraversalOptions#forwardersAtOnce()} forwarders at once (picked from the registry's {@code natgw/forwarders},
 * shuffled, the next one on failure), announces one {@code natgw://…} value per forwarder under its key, keeps each
 * control connection alive with heartbeats and opens a data connection for each client a forwarder pushes. When a
 * forwarder dies (connection closed, or silent for its idle timeout) its value is withdrawn and clients reach the
 * server through the others meanwhile; that slot registers again, with the same forwarder or another one not in use,
 * waiting {@link TraversalOptions#backoffMin()} after a lost session and doubling, up to
 * {@link TraversalOptions#backoffMax()}, while attempts fail.
 *
 * <p>
 * Every {@link TraversalOptions#reprobeInterval()} it probes again (unless {@code direct} is off): a direct server
 * asks a forwarder to probe its live listener; if the probe no longer reaches it, it registers with a forwarder; if
 * it reaches it at another address, it announces the new one. A forwarded server probes a fresh listener and, once
 * reachable, listens directly and leaves its forwarder. Each move is make-before-break: the new way in is announced
 * first, and the old one (the listener, or the forwarder's session) keeps serving for
 * {@link Publication#handover()} after its value is withdrawn, so clients who looked the key up before the move are
 * not turned away. While a probe is under way, connections that arrive are read for at most
 * {@link DirectPublishing#PROBE_READ} to tell the forwarder's probe from clients; a client's bytes read then are given
 * back to the application unchanged. With {@code direct} off it never opens a listening socket.
 *
 * <p>
 * Threads: one virtual thread runs the publication (direct or through a forwarder), plus one accepting per open
 * listener (at most two, while one retires), one per connection being sorted during a probe (at most
 * {@link TraversalOptions#backlog()}), two per direct client in its end-to-end handshake (the handshake and its
 * deadline; at most {@link TraversalOptions#backlog()} handshakes at once, the listener waits for a slot) and, when
 * forwarded, one control loop per further forwarder ({@link TraversalOptions#forwardersAtOnce()} less one), one for
 * heartbeats per forwarder registered with, one re-probing and two per data connection being opened and handshaking (at most
 * {@link TraversalOptions#backlog()} at once; more are declined), with the direct upgrade one per relayed client
 * reading its relay until the switch or the end (an {@link UpgradableSocket}) and one per upgrade under way (plus one
 * accepting for at most 2 s of it), and one per connection being closed, for at most
 * 2 s (a close reads the peer's last bytes first, so that it is not a reset that loses the end of the stream).
 * Accepted sockets wait in one bounded queue ({@link TraversalOptions#backlog()}); when it is full a direct listener
 * stops accepting (the kernel's backlog holds the rest) and a forwarder's clients are declined. Thread-safe.
 *
 * <p>
 * The two ways of publishing are two state machines, {@link DirectPublishing} and {@link ForwardedPublishing}, over
 * what they share ({@link Publication}); this class runs one after the other on its publishing thread.
 */
public final class TraversalServer implements Closeable {
    private final Publication p;
    private final DirectPublishing directly;
    private final ForwardedPublishing forwarded;
    private volatile Thread worker;

    private TraversalServer(Identity identity, TraversalOptions options, ClientPolicy policy) {
        this.p = new Publication(identity, options, policy);
        this.directly = new DirectPublishing(p);
        this.forwarded = new ForwardedPublishing(p, directly);
    }

    /**
     * Publishes the identity's key: directly if the probe says it is reachable, else through a forwarder (in the
     * background; see {@link #awaitRegistered}).
     *
     * @throws IOException if the direct listener cannot be bound
     */
    public static TraversalServer open(Identity identity, TraversalOptions options) throws IOException {
        return open(identity, options, ClientPolicy.OPEN);
    }

    /**
     * As {@link #open(Identity, TraversalOptions)}, serving only the clients the policy admits.
     *
     * @throws IOException if the direct listener cannot be bound
     */
    public static TraversalServer open(Identity identity, TraversalOptions options, ClientPolicy policy)
            throws IOException {
        return open(identity, options, policy, false);
    }

    /**
     * As {@link #open(Identity, TraversalOptions, ClientPolicy)}; with directUpgrade, a client relayed by a forwarder
     * that also asks for it then tries to move to a direct TCP path by hole punching (docs/protocol.md, section 11a),
     * under the application and without loss; where that fails the connection stays relayed.
     *
     * @throws IOException if the direct listener cannot be bound
     */
    public static TraversalServer open(Identity identity, TraversalOptions options, ClientPolicy policy,
            boolean directUpgrade) throws IOException {
        TraversalServer s = new TraversalServer(identity, options, policy);
        s.p.directUpgrade = directUpgrade;
        if (options.direct()) {
            s.directly.tryDirect();
        }
        s.worker = Thread.ofVirtual().name("natgw-traversal-publish").start(s::publish);
        return s;
    }

    /** {@return the key this server is published under} */
    public String key() {
        return p.key();
    }

    /** {@return true if clients reach this server directly, without a forwarder} */
    public boolean direct() {
        return directly.endpoint() != null;
    }

    /** {@return where clients reach this server now: tcp://… directly, natgw://… a forwarder, or null while none} */
    public Endpoint endpoint() {
        Endpoint d = directly.endpoint();
        return d != null ? d : forwarded.current();
    }

    /**
     * {@return every place clients reach this server now: the one {@code tcp://…} when direct, else each forwarder it
     * is registered with (at most {@link TraversalOptions#forwardersAtOnce()}); empty while none}
     */
    public List<Endpoint> endpoints() {
        Endpoint d = directly.endpoint();
        return d != null ? List.of(d) : forwarded.endpoints();
    }

    /** {@return how many times this server has registered with a forwarder, all forwarders together} */
    public long registrations() {
        return forwarded.registrations();
    }

    /**
     * Waits until the server is registered with a forwarder (at once when direct).
     *
     * @return true if registered within the timeout
     */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!p.closed) {
            if (direct() || forwarded.current() != null) {
                return true;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            forwarded.registered().await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
        }
        return false;
    }

    /**
     * Waits for the next client.
     *
     * @return a socket connected (directly or through the forwarder) to the client
     * @throws IOException if this server is closed
     */
    public Socket accept() throws IOException {
        while (true) {
            Socket s = accept(Duration.ofSeconds(1));
            if (s != null) {
                return s;
            }
        }
    }

    /**
     * Waits at most timeout for the next client.
     *
     * @return the socket, or null if none came in time
     * @throws IOException if this server is closed
     */
    public Socket accept(Duration timeout) throws IOException {
        PeerConnection c = acceptConnection(timeout);
        return c == null ? null : c.socket();
    }

    /**
     * Waits at most timeout for the next client, and says who it is: its address and, if it showed one, its key.
     *
     * @return the connection, or null if none came in time
     * @throws IOException if this server is closed
     */
    public PeerConnection acceptConnection(Duration timeout) throws IOException {
        if (p.closed) {
            throw new IOException("closed");
        }
        try {
            PeerConnection c = p.accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (c == null && p.closed) {
                throw new IOException("closed");
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Withdraws the announcement and closes the listener, the control connection and clients not yet accepted (these
     * in the background, each within 2 s).
     */
    @Override
    public void close() {
        if (p.closed) {
            return;
        }
        p.closed = true;
        forwarded.closeControl();
        directly.close();
        Thread w = worker;
        if (w != null) {
            w.interrupt();
        }
        p.withdrawAnnouncement();
        PeerConnection c;
        while ((c = p.accepted.poll()) != null) {
            // each close waits up to 2 s for its client's last bytes: side by side (at most backlog), not in turn
            Socket s = c.socket();
            Thread.ofVirtual().name("natgw-traversal-close").start(() -> Publication.quietly(s));
        }
    }

    /** Runs the publication until closed: direct while reachable, through a forwarder while not. */
    private void publish() {
        while (!p.closed) {
            // an interrupt that ended the last phase must not end the next one
            Thread.interrupted();
            if (directly.listening()) {
                directly.run();
            } else {
                forwarded.run();
            }
        }
    }
}
