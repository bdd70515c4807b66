package dev.natgw.api.registry;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A registry of values announced under keys for a limited time (TTL). A key may hold several
 * values, one entry each, such as the addresses of all forwarders. Announcements belong to the
 * registry instance that made them: the embedded backend keeps them in memory and forgets
 * everything when it restarts; a distributed backend ties them to the announcing instance's
 * session, so they vanish when that session ends (ephemeral entries).
 *
 * <p>
 * Every method is control-plane and safe from any thread; announce, lookup and withdraw may block
 * on the network for a distributed backend.
 */
@ProviderType
public interface Registry {
    /** The {@link #backend()} name of the in-memory backend. */
    String BACKEND_EMBEDDED = "embedded";
    /** The {@link #backend()} name of the ZooKeeper backend. */
    String BACKEND_ZOOKEEPER = "zookeeper";
    /** The shortest TTL. */
    Duration MIN_TTL = Duration.ofSeconds(1);
    /** The longest TTL. */
    Duration MAX_TTL = Duration.ofHours(1);

    /**
     * Announces a value under a key until the TTL runs out. Announcing the same key and value again
     * refreshes the TTL; a different value adds another entry.
     *
     * @param key the key, valid by {@link RegistryKeys#requireValid}
     * @param value the value, valid by {@link RegistryKeys#requireValidValue}
     * @param ttl how long the entry lives unless announced again, {@link #MIN_TTL}..{@link #MAX_TTL}
     * @return the entry as stored, with its expiry
     * @throws IllegalArgumentException if the key, value or TTL breaks the rules
     */
    RegistryEntry announce(String key, String value, Duration ttl);

    /**
     * Looks up the live entries under a key, in no particular order.
     *
     * @param key the key
     * @param max the most entries to return, at least 1
     * @return at most max entries, empty if there are none
     * @throws IllegalArgumentException if the key is invalid or max is below 1
     */
    List<RegistryEntry> lookup(String key, int max);

    /**
     * Lists the live entries under every key that starts with a prefix, in key order, at most {@code max} of
     * them: a bounded view of the whole registry for consoles and commands.
     *
     * @param prefix the start of the keys wanted, empty for all keys
     * @param max the most entries to return, at least 1
     * @return at most max entries, in key order; empty if there are none
     * @throws IllegalArgumentException if max is below 1
     * @throws NullPointerException if prefix is null
     * @since 1.1
     */
    List<RegistryEntry> list(String prefix, int max);

    /**
     * Withdraws an entry this registry instance announced, before its TTL runs out.
     *
     * @param key the key
     * @param value the value
     * @return true if this instance had announced it and it was still live
     */
    boolean withdraw(String key, String value);

    /**
     * Watches a key: the listener is called once soon after with the current entries, then after every
     * change, until the returned watch is closed.
     *
     * @param key the key, valid by {@link RegistryKeys#requireValid}
     * @param listener the listener
     * @return the watch; closing it stops the calls
     * @throws IllegalArgumentException if the key is invalid
     */
    Watch watch(String key, RegistryListener listener);

    /** {@return the backend's name, {@link #BACKEND_EMBEDDED} or {@link #BACKEND_ZOOKEEPER}} */
    String backend();

    /** A registration made by {@link Registry#watch}. */
    @ProviderType
    interface Watch extends AutoCloseable {
        /** Stops the listener's calls; no call starts after this returns. Idempotent; never throws. */
        @Override
        void close();
    }
}
