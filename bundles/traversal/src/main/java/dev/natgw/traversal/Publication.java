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

/**
 * What a {@link TraversalServer}'s two ways of publishing share: the identity and options, the key's announcement in
 * the registry, the bounded queue of accepted clients, the list of forwarders and the closed flag.
 *
 * <p>
 * Invariant: every value that may be in the registry under the key is either the announced one (kept before each
 * attempt, since a failed one may still have arrived) or a stale one, replaced or withdrawn but with a withdrawal that
 * failed (the publisher interrupted to change phase, the registry briefly unreachable); each later step of the
 * publication withdraws the stale ones again, until a withdrawal succeeds or their TTL has ended in the registry.
 * Whatever replaces or ends the announcement thus leaves no value behind for clients to try. Thread-safe.
 */
final class Publication {
    private static final System.Logger LOG = System.getLogger(TraversalServer.class.getName());
    private static final String FORWARDERS_KEY = "natgw/forwarders";

    final Identity identity;
    final TraversalOptions options;
    final BlockingQueue<Socket> accepted;
    private final RegistryClient registry;
    private volatile String announced;
    /** Values that may still be in the registry though no longer announced, with when their TTL there ends. */
    private final ConcurrentHashMap<String, Long> stale = new ConcurrentHashMap<>();
    volatile boolean closed;

    Publication(Identity identity, TraversalOptions options) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.options = options;
        this.registry = options.registry() == null
                ? null
                : new RegistryClient(options.registry(), options.connectTimeout().plus(options.handshakeTimeout()));
        this.accepted = new ArrayBlockingQueue<>(options.backlog());
    }

    String key() {
        return identity.key();
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

    /** Waits for room in the queue (the kernel's backlog holds later clients meanwhile); false if interrupted. */
    boolean enqueue(Socket s) {
        try {
            accepted.put(s);
            if (closed) {
                quietly(s);
            }
            return true;
        } catch (InterruptedException e) {
            quietly(s);
            return false;
        }
    }

    /** Announces value and withdraws what was announced before, if something else. */
    void replaceAnnouncement(String value) {
        String previous = announced;
        announce(value);
        if (previous != null && !previous.equals(value)) {
            withdraw(previous);
        }
    }

    void withdrawAnnouncement() {
        String a = announced;
        announced = null;
        if (a != null) {
            withdraw(a);
        }
        withdrawStale();
    }

    void announce(String value) {
        // kept before the attempt: a failed or interrupted announcement may still have reached the registry, and
        // what replaces or closes it must withdraw it
        announced = value;
        stale.remove(value);
        send(value);
        withdrawStale();
    }

    /**
     * Renews value if it is still the announced one, without making it the announced one again: a renewal that
     * crosses a replacement must not bring the replaced value back, so one that lands after it is withdrawn again.
     */
    void renew(String value) {
        if (!value.equals(announced)) {
            return;
        }
        send(value);
        if (!value.equals(announced)) {
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
            } else if (!e.getKey().equals(announced)) {
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
