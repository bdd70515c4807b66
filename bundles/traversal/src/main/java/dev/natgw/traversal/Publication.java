package dev.natgw.traversal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * What a {@link TraversalServer}'s two ways of publishing share: the identity and options, the key's announcement in
 * the registry, the bounded queue of accepted clients, the list of forwarders and the closed flag.
 *
 * <p>
 * Invariant: the announced value is whatever may be in the registry under the key (kept before each attempt, since a
 * failed one may still have arrived), so whatever replaces or ends it withdraws exactly that. Thread-safe.
 */
final class Publication {
    private static final System.Logger LOG = System.getLogger(TraversalServer.class.getName());
    private static final String FORWARDERS_KEY = "natgw/forwarders";

    final Identity identity;
    final TraversalOptions options;
    final BlockingQueue<Socket> accepted;
    private final RegistryClient registry;
    private volatile String announced;
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
        if (previous != null && !previous.equals(value) && registry != null) {
            try {
                registry.withdraw(identity, previous);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "withdraw of " + previous + " failed: " + e.getMessage());
            }
        }
    }

    void withdrawAnnouncement() {
        String a = announced;
        announced = null;
        if (registry != null && a != null) {
            try {
                registry.withdraw(identity, a);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "withdraw of " + a + " failed: " + e.getMessage());
            }
        }
    }

    void announce(String value) {
        // kept before the attempt: a failed or interrupted announcement may still have reached the registry, and
        // what replaces or closes it must withdraw it
        announced = value;
        if (registry == null) {
            return;
        }
        try {
            registry.announce(identity, value, options.announceTtl());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot announce " + key() + " -> " + value + ": " + e.getMessage());
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
