package dev.natgw.api.nat;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the NAPT translator's configuration and state. Every method is control-plane: safe from any
 * thread, but never to be called from a dataplane worker, since it may allocate or wait for the
 * workers.
 */
@ProviderType
public interface NatService {
    /** {@return the address pools, by name} */
    List<PoolDefinition> pools();

    /** {@return the use of each pool, in the order of {@link #pools()}} */
    List<PoolUsage> poolUsage();

    /**
     * Returns the use of a pool per outside address and per worker: one entry for each address and worker,
     * by address, then worker. Empty while no dataplane runs the translator (no worker owns a port then).
     *
     * @param pool the pool's name
     * @return the entries, empty if there is no such pool
     * @since 1.1
     */
    List<PortUsage> portUsage(String pool);

    /** {@return the counters now, summed over the workers} */
    NatCounters counters();

    /**
     * {@return the number of live sessions over all workers; cheap, read from the workers' counters}
     */
    long sessionCount();

    /**
     * Returns a snapshot of at most {@code limit} sessions that match a filter, in no particular order.
     * Each worker is asked over its request ring to copy up to {@code limit} matching sessions from its
     * own table between bursts; the call waits for every worker's answer, so it costs one round-trip
     * per worker and at most {@code limit} copies from each, however many sessions there are. The
     * workers scan until they have enough, so a filter that matches few sessions makes them scan more
     * of their tables. The snapshot is not one consistent instant across workers.
     *
     * @param filter the sessions wanted, {@link SessionFilter#ALL} for any
     * @param limit the most sessions to return, at least 1
     * @return the matching sessions, at most limit
     * @throws IllegalArgumentException if limit is below 1
     */
    List<SessionInfo> sessions(SessionFilter filter, int limit);

    /** {@return the static mappings in force} */
    List<StaticMapping> staticMappings();

    /**
     * {@return the static mappings in force and those configured but refused, each with the configuration it came
     * from; in force first}
     */
    List<StaticMappingEntry> staticMappingEntries();

    /** {@return the session timeouts in force} */
    Timeouts timeouts();

    /** {@return what happens to packets of protocols other than TCP, UDP and ICMP} */
    OtherProtocolPolicy otherProtocolPolicy();

    /**
     * {@return what happened to the previous translator's sessions when this one last attached to the dataplane,
     * for example {@code "adopted 1200 sessions (layout 3, 2 workers)"}, {@code "refused: workers 2 != 4; started
     * clean"} or {@code "none: nothing was handed over"}}
     */
    default String lastHandOver() {
        return "none: nothing was handed over";
    }

    /**
     * {@return the fragment state of each worker, by worker; empty while no dataplane runs the translator}
     *
     * @since 1.5
     */
    default List<FragmentUsage> fragmentUsage() {
        return List.of();
    }

    /**
     * Answers "which subscriber had outside address {@code outside}, port {@code port}" from the deterministic
     * pools' formula (RFC 7422), without any log: the block holding the port, one per deterministic pool that
     * holds it (pools never overlap, so at most one while they are all active).
     *
     * @param outside the outside address
     * @param port the outside port
     * @return the blocks, empty when no deterministic pool maps that address and port
     * @since 1.5
     */
    default List<DeterministicMapping> deterministicLookup(int outside, int port) {
        return List.of();
    }

    /**
     * Returns the block a deterministic pool gives an inside address (the reverse of {@link #deterministicLookup}).
     *
     * @param inside the inside address
     * @return the blocks, one per deterministic pool whose inside prefix holds the address
     * @since 1.5
     */
    default List<DeterministicMapping> deterministicBlock(int inside) {
        return List.of();
    }
}
