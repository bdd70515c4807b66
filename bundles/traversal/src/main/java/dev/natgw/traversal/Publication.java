package dev.natgw.traversal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import dev.natgw.traversal.protocol.EndpointSigning;
import java.net.InetSocketAddress;

/**
 * What a {@link TraversalServer}'s two ways of publishing share: the identity and options, the key's announcement in
 * the registry, the end-to-end handshake of new clients and the bounded queue of admitted ones, the list of forwarders
 * and the closed flag.
 *
 * <p>
 * Announced values are signed by the identity (docs/protocol.md, section 10): callers name endpoints, and the value
 * sent is the endpoint with its signature, which holds for {@link #SIGNATURE_VALIDITY} and is made again once half of
 * that has passed (the new value replaces the old one as any other change of value does). A direct server announces
 * one value; a forwarded one a value per forwarder it is registered with, each added and withdrawn on its own.
 *
 * <p>
 * Invariant: every value that may be in the registry under the key is either an announced one (kept before each
 * attempt, since a failed one may still have arrived) or a stale one, replaced or withdrawn but with a withdrawal that
 * failed (the publisher interrupted to change phase, the registry briefly unreachable); each later step of the
 * publication withdraws the stale ones again, until a withdrawal succeeds or their TTL has ended in the registry.
 * Whatever replaces or ends the announcement thus leaves no value behind for clients to try. Thread-safe: the changes
 * of the announcement are made one at a time, registry calls included, so that two of them (a forwarder's session
 * adding its value while a re-probe moves the server to direct) cannot each withdraw the other's value and leave the
 * key announced nowhere.
 */
final class Publication {
    private static final System.Logger LOG = System.getLogger(TraversalServer.class.getName());
    private static final String FORWARDERS_KEY = "natgw/forwarders";

    /** How long the signature of an announced endpoint holds. */
    static final Duration SIGNATURE_VALIDITY = Duration.ofHours(1);

    final Identity identity;
    final TraversalOptions options;
    final ClientPolicy policy;
    /** Clients past the end-to-end handshake and the policy, waiting for accept. */
    final BlockingQueue<PeerConnection> accepted;
    private final SSLContext e2e;
    /** Bounds the end-to-end handshakes of direct clients under way at once. */
    private final Semaphore handshakes;
    private final RegistryClient registry;
    /**
     * The signed values announced now by endpoint (each kept before its attempt, since a failed one may still have
     * arrived): one {@code tcp://…} while direct, one per forwarder registered with while forwarded.
     */
    private final ConcurrentHashMap<String, String> announced = new ConcurrentHashMap<>();
    /** The last signed value made per endpoint, reused while its signature has more than half its validity left. */
    private final ConcurrentHashMap<String, Signed> signed = new ConcurrentHashMap<>();
    /** Values that may still be in the registry though no longer announced, with when their TTL there ends. */
    private final ConcurrentHashMap<String, Long> stale = new ConcurrentHashMap<>();
    volatile boolean closed;
    /** Whether forwarded clients may move to a direct path (docs/protocol.md, section 11a); set before publishing. */
    volatile boolean directUpgrade;

    /** At most this many signed values are cached; beyond it those of endpoints no longer announced go. */
    private static final int MAX_SIGNED = 32;

    private record Signed(String value, long notAfter) {
    }

    Publication(Identity identity, TraversalOptions options) {
        this(identity, options, ClientPolicy.OPEN);
    }

    Publication(Identity identity, TraversalOptions options, ClientPolicy policy) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.options = options;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.e2e = E2e.context(identity);
        this.handshakes = new Semaphore(options.backlog());
        this.registry = options.registry() == null
                ? null
                : new RegistryClient(options.registry(), options.connectTimeout().plus(options.handshakeTimeout()));
        this.accepted = new ArrayBlockingQueue<>(options.backlog());
    }

    String key() {
        return identity.key();
    }

    /** {@return the end-to-end TLS context, showing this server's identity} */
    SSLContext e2e() {
        return e2e;
    }

    /**
     * {@return how long the old way in stays open after the server moved between direct and forwarded} A client that
     * looked the key up just before the move connects to what it read within its connect timeout; the old listener,
     * or the old forwarder's session, serves it until then.
     */
    Duration handover() {
        return options.connectTimeout();
    }

    /** {@return the forwarders to try, shuffled: the configured ones, else those the registry lists} */
    List<Endpoint> forwarders() {
        List<Endpoint> out = new ArrayList<>(options.forwarders());
        if (out.isEmpty() && registry != null) {
            try {
                for (String v : registry.lookup(FORWARDERS_KEY, 100)) {
                    try {
                        out.add(Endpoint.parse(v));
                    } catch (IllegalArgumentException e) {
                        LOG.log(Level.DEBUG, "ignoring forwarder " + v + ": " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot list forwarders: " + e.getMessage());
            }
        }
        Collections.shuffle(out);
        return out;
    }

    /**
     * Runs a direct client's end-to-end handshake on a thread of its own, then queues it, waiting for room (the
     * kernel's backlog holds later clients meanwhile). At most {@link TraversalOptions#backlog()} handshakes run at
     * once; this waits for a slot.
     *
     * @return false if interrupted
     */
    boolean admit(Socket s) {
        try {
            handshakes.acquire();
        } catch (InterruptedException e) {
            quietly(s);
            return false;
        }
        Thread.ofVirtual().name("natgw-traversal-e2e").start(() -> {
            try {
                PeerConnection c = handshake(s, addressOf(s));
                if (c != null) {
                    enqueue(c);
                }
            } finally {
                handshakes.release();
            }
        });
        return true;
    }

    /** {@return the client, admitted after the end-to-end handshake, or null (logged) if it failed or was declined} */
    PeerConnection handshake(Socket s, String clientAddress) {
        return handshake(s, clientAddress, false);
    }

    /** As {@link #handshake(Socket, String)}; with upgrade, agrees to {@link E2e#ALPN_UPGRADE} if the client offers it. */
    PeerConnection handshake(Socket s, String clientAddress, boolean upgrade) {
        try {
            return E2e.server(e2e, s, clientAddress, policy, options.handshakeTimeout(), upgrade);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, key() + ": " + e.getMessage());
            return null;
        }
    }

    private static String addressOf(Socket s) {
        return s.getRemoteSocketAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort()
                : String.valueOf(s.getRemoteSocketAddress());
    }

    /** Waits for room in the queue; closes the connection if interrupted or closed meanwhile. */
    private void enqueue(PeerConnection c) {
        try {
            accepted.put(c);
            if (closed) {
                quietly(c.socket());
            }
        } catch (InterruptedException e) {
            quietly(c.socket());
        }
    }

    /** {@return the signed value of endpoint: the last one made, while half its validity is left, else a new one} */
    String valueOf(String endpoint) {
        long now = System.currentTimeMillis() / 1000;
        Signed s = signed.get(endpoint);
        if (s != null && s.notAfter() - now > SIGNATURE_VALIDITY.toSeconds() / 2) {
            return s.value();
        }
        long notAfter = now + SIGNATURE_VALIDITY.toSeconds();
        String value = EndpointSigning.sign(identity.privateKey(), identity.publicKey(), endpoint, notAfter);
        if (signed.size() >= MAX_SIGNED) {
            // endpoints no longer announced; the announced ones are at most a few
            signed.keySet().removeIf(e -> !announced.containsKey(e));
        }
        signed.put(endpoint, new Signed(value, notAfter));
        return value;
    }

    /** {@return the endpoints announced now, in no order} */
    List<String> announcedEndpoints() {
        return List.copyOf(announced.keySet());
    }

    /** Announces endpoint and withdraws every other value announced before: the one way in (direct publishing). */
    synchronized void replaceAnnouncement(String endpoint) {
        String value = valueOf(endpoint);
        announceValue(endpoint, value);
        for (Map.Entry<String, String> e : announced.entrySet()) {
            if (!e.getKey().equals(endpoint) && announced.remove(e.getKey(), e.getValue())) {
                withdraw(e.getValue());
            }
        }
    }

    /**
     * Announces a forwarder's endpoint beside the other forwarders' and withdraws the announced values that are not
     * forwarders ({@code tcp://…} of a direct phase that ended): one of the ways in of a forwarded server.
     */
    synchronized void addAnnouncement(String endpoint) {
        String value = valueOf(endpoint);
        announceValue(endpoint, value);
        for (Map.Entry<String, String> e : announced.entrySet()) {
            if (!Endpoint.parse(e.getKey()).forwarder() && announced.remove(e.getKey(), e.getValue())) {
                withdraw(e.getValue());
            }
        }
    }

    /**
     * As {@link #addAnnouncement}, if still is true when this publication's changes are made in turn: the check and the
     * announcement are one step, so a move to direct ({@link #replaceAnnouncement}) lands wholly before or wholly
     * after it, never between.
     *
     * @return false, announcing nothing, if still was false
     */
    synchronized boolean addAnnouncementIf(BooleanSupplier still, String endpoint) {
        if (!still.getAsBoolean()) {
            return false;
        }
        addAnnouncement(endpoint);
        return true;
    }

    /** Announces endpoint again (a renewal; a value signed anew replaces the old one), the others unchanged. */
    synchronized void announce(String endpoint) {
        if (announced.containsKey(endpoint) || announced.isEmpty()) {
            announceValue(endpoint, valueOf(endpoint));
        } else {
            replaceAnnouncement(endpoint);
        }
    }

    /** Withdraws every announced value: the server closes, or has no way in left. */
    synchronized void withdrawAnnouncement() {
        for (Map.Entry<String, String> e : announced.entrySet()) {
            if (announced.remove(e.getKey(), e.getValue())) {
                withdraw(e.getValue());
            }
        }
        withdrawStale();
    }

    /** Withdraws endpoint's value if it is announced, the others unchanged: that way in is gone. */
    synchronized void withdrawAnnouncement(String endpoint) {
        String value = announced.remove(endpoint);
        if (value != null) {
            withdraw(value);
        }
        withdrawStale();
    }

    private void announceValue(String endpoint, String value) {
        // kept before the attempt: a failed or interrupted announcement may still have reached the registry, and
        // what replaces or closes it must withdraw it
        String previous = announced.put(endpoint, value);
        stale.remove(value);
        send(value);
        if (previous != null && !previous.equals(value)) {
            // signed anew: the new value replaces the old one
            withdraw(previous);
        }
        withdrawStale();
    }

    /**
     * Renews endpoint if it is still announced, without announcing it again: a renewal that crosses a replacement or
     * a withdrawal must not bring the value back, so one that lands after it is withdrawn again.
     */
    synchronized void renew(String endpoint) {
        String current = announced.get(endpoint);
        if (current == null) {
            return;
        }
        String value = valueOf(endpoint);
        send(value);
        if (value.equals(current)) {
            if (!value.equals(announced.get(endpoint))) {
                withdraw(value);
            }
        } else if (announced.replace(endpoint, current, value)) {
            // signed anew: the new value replaces the old one
            withdraw(current);
        } else {
            withdraw(value);
        }
    }

    private void send(String value) {
        if (registry == null) {
            return;
        }
        try {
            registry.announce(identity, value, options.announceTtl());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot announce " + key() + " -> " + value + ": " + e.getMessage());
        }
    }

    /** Withdraws value, just replaced or withdrawn; on failure it stays stale, withdrawn again by the next step. */
    private void withdraw(String value) {
        withdraw(value, System.nanoTime() + options.announceTtl().toNanos());
    }

    /** Withdraws value, whose TTL in the registry ends at until (nanoTime) whatever becomes of the withdrawal. */
    private void withdraw(String value, long until) {
        if (registry == null) {
            return;
        }
        try {
            registry.withdraw(identity, value);
            stale.remove(value);
        } catch (IOException e) {
            stale.merge(value, until, Math::max);
            LOG.log(Level.DEBUG, "withdraw of " + value + " failed, to be tried again: " + e.getMessage());
        }
    }

    /** Tries the failed withdrawals again; forgets those whose TTL has ended in the registry anyway. */
    private void withdrawStale() {
        long now = System.nanoTime();
        for (Map.Entry<String, Long> e : stale.entrySet()) {
            if (now - e.getValue() >= 0) {
                stale.remove(e.getKey(), e.getValue());
            } else if (!announced.containsValue(e.getKey())) {
                withdraw(e.getKey(), e.getValue());
            }
        }
    }

    static void quietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
    }
}
