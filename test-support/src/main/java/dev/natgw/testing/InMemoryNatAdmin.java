package dev.natgw.testing;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.StaticMappingEntry;
import dev.natgw.api.nat.Timeouts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An in-memory {@link NatAdminService} for tests of code that only talks to the API (commands,
 * console views). It keeps pools, static mappings, timeouts and policy as given, enforces the API's
 * refusals (duplicate pool names, overlapping pool addresses, statically mapped endpoints taken
 * twice), and serves a list of sessions and counters that the test sets. Pool usage is derived from
 * the sessions, so it stays consistent with them.
 *
 * <p>
 * Not a translator: no packet ever creates a session here. Synchronized, so a test may read it from
 * another thread.
 */
public class InMemoryNatAdmin implements NatAdminService {
    private List<dev.natgw.api.nat.PortUsage> portUsage = List.of();

    private final Map<String, PoolDefinition> pools = new LinkedHashMap<>();
    private final List<StaticMapping> statics = new ArrayList<>();
    /** The configuration of each mapping in force that has one. */
    private final Map<StaticMapping, String> sources = new HashMap<>();
    /** Configured mappings refused for a clash, by configuration. */
    private final Map<String, StaticMappingEntry> refused = new LinkedHashMap<>();
    /** The pools {@link #savePool} kept. */
    private final Set<String> keptPools = new HashSet<>();
    private final List<SessionInfo> sessions = new ArrayList<>();
    private final Map<String, Long> held = new HashMap<>();
    private final Map<String, Long> blocks = new HashMap<>();
    private NatCounters counters = new NatCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of());
    private Timeouts timeouts = Timeouts.RFC_DEFAULTS;
    private OtherProtocolPolicy otherProtocolPolicy = OtherProtocolPolicy.DROP;

    /**
     * Replaces the live sessions.
     *
     * @param live the sessions, in the order {@link #sessions} returns them
     * @return this
     */
    public synchronized InMemoryNatAdmin setSessions(List<SessionInfo> live) {
        sessions.clear();
        sessions.addAll(live);
        return this;
    }

    /**
     * Replaces the counters {@link #counters()} returns; they are not kept in step with the sessions.
     *
     * @param now the counters
     * @return this
     */
    public synchronized InMemoryNatAdmin setCounters(NatCounters now) {
        counters = Objects.requireNonNull(now, "counters");
        return this;
    }

    /**
     * Sets the policy {@link #otherProtocolPolicy()} returns.
     *
     * @param policy the policy
     * @return this
     */
    public synchronized InMemoryNatAdmin setOtherProtocolPolicy(OtherProtocolPolicy policy) {
        otherProtocolPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    @Override
    public synchronized List<PoolDefinition> pools() {
        return List.copyOf(pools.values());
    }

    /** Keeps no per-worker state: a set list, empty by default. */
    @Override
    public synchronized List<dev.natgw.api.nat.PortUsage> portUsage(String pool) {
        return portUsage.stream().filter(u -> u.pool().equals(pool)).toList();
    }

    /**
     * Sets what {@link #portUsage} answers.
     *
     * @param usage the entries of every pool
     * @return this
     */
    public synchronized InMemoryNatAdmin setPortUsage(List<dev.natgw.api.nat.PortUsage> usage) {
        this.portUsage = List.copyOf(usage);
        return this;
    }

    /**
     * Sets how many of a pool's ports are in hold-down: {@link #poolUsage} counts them in use and held, on top of
     * the sessions' ports.
     *
     * @param pool the pool's name
     * @param ports the held ports, at least 0
     * @return this
     */
    public synchronized InMemoryNatAdmin setHeldPorts(String pool, long ports) {
        held.put(Objects.requireNonNull(pool, "pool"), ports);
        return this;
    }

    /**
     * Sets how many port blocks a pool's inside hosts hold: {@link #poolUsage} reports them as its blocks in use.
     *
     * @param pool the pool's name
     * @param n the blocks in use, at least 0
     * @return this
     */
    public synchronized InMemoryNatAdmin setBlocksInUse(String pool, long n) {
        blocks.put(Objects.requireNonNull(pool, "pool"), n);
        return this;
    }

    /** Derives each pool's use: ports in use are the distinct outside endpoints of its sessions. */
    @Override
    @SuppressWarnings("EnumOrdinal") // a count per protocol on the heap, never stored
    public synchronized List<PoolUsage> poolUsage() {
        List<PoolUsage> usage = new ArrayList<>(pools.size());
        for (PoolDefinition p : pools.values()) {
            long portsTotal = p.addressCount() * (p.portMax() - p.portMin() + 1L) * Protocol.values().length;
            Set<String> used = new HashSet<>();
            long[] perProtocol = new long[Protocol.values().length];
            for (SessionInfo s : sessions) {
                if (p.name().equals(s.pool())) {
                    used.add(s.protocol() + " " + s.outside());
                    perProtocol[s.protocol().ordinal()]++;
                }
            }
            long inUse = Math.min(used.size() + held.getOrDefault(p.name(), 0L), portsTotal);
            usage.add(new PoolUsage(p.name(), p.addressCount(), portsTotal, inUse, perProtocol[Protocol.TCP.ordinal()],
                    perProtocol[Protocol.UDP.ordinal()], perProtocol[Protocol.ICMP.ordinal()],
                    Math.min(held.getOrDefault(p.name(), 0L), inUse), blocks.getOrDefault(p.name(), 0L)));
        }
        return usage;
    }

    @Override
    public synchronized NatCounters counters() {
        return counters;
    }

    @Override
    public synchronized long sessionCount() {
        return sessions.size();
    }

    @Override
    public synchronized List<SessionInfo> sessions(SessionFilter filter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        List<SessionInfo> out = new ArrayList<>();
        for (SessionInfo s : sessions) {
            if (out.size() == limit) {
                break;
            }
            if (filter.matches(s)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public synchronized List<StaticMapping> staticMappings() {
        return List.copyOf(statics);
    }

    @Override
    public synchronized List<StaticMappingEntry> staticMappingEntries() {
        List<StaticMappingEntry> out = new ArrayList<>();
        for (StaticMapping m : statics) {
            out.add(new StaticMappingEntry(m, sources.getOrDefault(m, ""), ""));
        }
        out.addAll(refused.values());
        return out;
    }

    /** {@return the names of the pools {@link #savePool} kept and {@link #deletePool} did not delete} */
    public synchronized Set<String> keptPools() {
        return Set.copyOf(keptPools);
    }

    @Override
    public synchronized Timeouts timeouts() {
        return timeouts;
    }

    @Override
    public synchronized OtherProtocolPolicy otherProtocolPolicy() {
        return otherProtocolPolicy;
    }

    @Override
    public synchronized void addPool(PoolDefinition pool) {
        if (pools.containsKey(pool.name())) {
            throw new IllegalArgumentException("a pool named \"" + pool.name() + "\" exists");
        }
        for (PoolDefinition other : pools.values()) {
            for (var mine : pool.addresses()) {
                for (var theirs : other.addresses()) {
                    if (mine.overlaps(theirs)) {
                        throw new IllegalArgumentException("addresses " + mine + " overlap " + theirs + " of pool \""
                                + other.name() + "\"");
                    }
                }
            }
        }
        pools.put(pool.name(), pool);
    }

    @Override
    public synchronized boolean removePool(String name) {
        return pools.remove(name) != null;
    }

    /** Adds the pool and remembers it as kept ({@link #keptPools}); nothing is written anywhere. */
    @Override
    public synchronized void savePool(PoolDefinition pool) {
        addPool(pool);
        keptPools.add(pool.name());
    }

    @Override
    public synchronized boolean deletePool(String name) {
        return removePool(name) | keptPools.remove(name);
    }

    /** Adds the mapping with the configuration {@code memory~PROTOCOL-GLOBAL}; nothing is written anywhere. */
    @Override
    public synchronized void saveStaticMapping(StaticMapping mapping) {
        addStaticMapping(mapping);
        sources.put(mapping, "memory~" + mapping.protocol() + "-" + mapping.global());
    }

    @Override
    public synchronized boolean deleteStaticMapping(Protocol protocol, Endpoint global) {
        return removeStaticMapping(protocol, global);
    }

    @Override
    public synchronized String configureStaticMapping(String configuration, StaticMapping mapping) {
        unconfigureStaticMapping(configuration);
        try {
            addStaticMapping(mapping);
        } catch (IllegalArgumentException clash) {
            refused.put(configuration, new StaticMappingEntry(mapping, configuration, clash.getMessage()));
            return clash.getMessage();
        }
        sources.put(mapping, configuration);
        return "";
    }

    @Override
    public synchronized boolean unconfigureStaticMapping(String configuration) {
        if (refused.remove(configuration) != null) {
            return true;
        }
        for (Map.Entry<StaticMapping, String> e : sources.entrySet()) {
            if (e.getValue().equals(configuration)) {
                return removeStaticMapping(e.getKey().protocol(), e.getKey().global());
            }
        }
        return false;
    }

    @Override
    public synchronized void addStaticMapping(StaticMapping mapping) {
        for (StaticMapping m : statics) {
            if (m.protocol() == mapping.protocol()) {
                if (m.global().equals(mapping.global())) {
                    throw new IllegalArgumentException(
                            mapping.protocol() + " " + mapping.global() + " is already statically mapped");
                }
                if (m.inside().equals(mapping.inside())) {
                    throw new IllegalArgumentException(
                            mapping.protocol() + " " + mapping.inside() + " is already statically mapped");
                }
            }
        }
        statics.add(mapping);
    }

    @Override
    public synchronized boolean removeStaticMapping(Protocol protocol, Endpoint global) {
        sources.keySet().removeIf(m -> m.protocol() == protocol && m.global().equals(global));
        return statics.removeIf(m -> m.protocol() == protocol && m.global().equals(global));
    }

    @Override
    public synchronized void setTimeouts(Timeouts timeouts) {
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    }

    @Override
    public synchronized int clearSessions(SessionFilter filter) {
        int before = sessions.size();
        sessions.removeIf(filter::matches);
        return before - sessions.size();
    }
}
