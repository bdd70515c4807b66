package dev.natgw.api.forwarder;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Observes the forwarder: its listener, the servers registered with it, the relays it runs and its
 * counters. Every method is control-plane, safe from any thread, and returns a snapshot.
 */
@ProviderType
public interface ForwarderService {
    /**
     * The well-known registry key under which forwarders announce their address, so servers can find
     * one.
     */
    String ANNOUNCE_KEY = "natgw/forwarders";

    /** {@return the listener's state} */
    ForwarderInfo info();

    /** {@return the registered servers, by key} */
    List<RegisteredServer> servers();

    /**
     * Returns open relays, newest first.
     *
     * @param limit the most relays to return, at least 1
     * @return at most limit relays
     * @throws IllegalArgumentException if limit is below 1
     */
    List<RelaySession> sessions(int limit);

    /** {@return the counters now} */
    ForwarderCounters counters();

    /**
     * {@return what the forwarder holds now and what it refused}
     *
     * @since 1.1
     */
    ForwarderLoad load();
}
