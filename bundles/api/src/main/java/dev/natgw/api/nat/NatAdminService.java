package dev.natgw.api.nat;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Changes the NAPT translator's pools, static mappings, timeouts and sessions. Control-plane like
 * {@link NatService}: safe from any thread, never from a dataplane worker. Each change applies to
 * the packets the workers handle after the method returns.
 */
@ProviderType
public interface NatAdminService extends NatService {
    /**
     * Adds an address pool; new sessions may use it at once.
     *
     * @param pool the pool
     * @throws IllegalArgumentException if a pool of that name exists or its addresses overlap another
     *     pool's
     */
    void addPool(PoolDefinition pool);

    /**
     * Removes a pool: no new session uses it, and its existing sessions live on until they expire or
     * close, after which their ports are not handed out again.
     *
     * @param name the pool's name
     * @return true if there was such a pool
     */
    boolean removePool(String name);

    /**
     * Adds a static mapping.
     *
     * @param mapping the mapping
     * @throws IllegalArgumentException if its global or inside endpoint is already statically mapped
     *     for the protocol
     */
    void addStaticMapping(StaticMapping mapping);

    /**
     * Removes a static mapping; sessions already created through it live on until they expire or close.
     *
     * @param protocol the protocol
     * @param global the mapping's global endpoint
     * @return true if there was such a mapping
     */
    boolean removeStaticMapping(Protocol protocol, Endpoint global);

    /**
     * Replaces the session timeouts; existing sessions take the new values the next time they are
     * checked.
     *
     * @param timeouts the timeouts
     */
    void setTimeouts(Timeouts timeouts);

    /**
     * Deletes the matching sessions at once. Their ports go back to the pool after the hold-down, which
     * keeps a port from serving a new session while late packets of the old one may still arrive.
     *
     * @param filter the sessions to delete, {@link SessionFilter#ALL} for every one
     * @return the number of sessions deleted
     */
    int clearSessions(SessionFilter filter);
}
