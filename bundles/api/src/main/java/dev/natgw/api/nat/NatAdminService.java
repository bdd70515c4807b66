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
     * Adds a pool and keeps it: writes it as the factory configuration {@code dev.natgw.nat.pool~NAME} (a file
     * {@code etc/dev.natgw.nat.pool-NAME.cfg} on the appliance), so it comes back after a restart. The pool is in
     * service when this returns.
     *
     * @param pool the pool
     * @throws IllegalArgumentException as {@link #addPool} refuses it
     * @throws IllegalStateException if the configuration cannot be written; the pool is then not added
     */
    void savePool(PoolDefinition pool);

    /**
     * Removes a pool as {@link #removePool} does and deletes its configuration, so it stays gone after a restart.
     *
     * @param name the pool's name
     * @return true if there was such a pool or configuration
     * @throws IllegalStateException if the configuration cannot be deleted
     */
    boolean deletePool(String name);

    /**
     * Adds a static mapping and keeps it as a factory configuration {@code dev.natgw.nat.static~NAME}, so it comes
     * back after a restart. The mapping is in force when this returns.
     *
     * @param mapping the mapping
     * @throws IllegalArgumentException as {@link #addStaticMapping} refuses it
     * @throws IllegalStateException if the configuration cannot be written; the mapping is then not added
     */
    void saveStaticMapping(StaticMapping mapping);

    /**
     * Removes a static mapping as {@link #removeStaticMapping} does and deletes the configuration that holds it; a
     * configured mapping refused for a clash is deleted the same way when none is in force.
     *
     * @param protocol the protocol
     * @param global the mapping's global endpoint
     * @return true if there was such a mapping
     * @throws IllegalStateException if the configuration cannot be deleted
     */
    boolean deleteStaticMapping(Protocol protocol, Endpoint global);

    /**
     * Applies the static mapping a configuration holds, in place of what that configuration applied before. One
     * that clashes with a mapping in force is not thrown away: it is kept refused, listed by
     * {@link #staticMappingEntries()} with the reason, and applied once the clash is gone. Applying the same
     * mapping again from the same configuration changes nothing.
     *
     * @param configuration the configuration's PID
     * @param mapping the mapping
     * @return "" if the mapping is in force, else why it is refused
     */
    String configureStaticMapping(String configuration, StaticMapping mapping);

    /**
     * Withdraws the static mapping of a configuration, in force or refused; a refused mapping it clashed with
     * applies then.
     *
     * @param configuration the configuration's PID
     * @return true if the configuration had a mapping here
     */
    boolean unconfigureStaticMapping(String configuration);

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
