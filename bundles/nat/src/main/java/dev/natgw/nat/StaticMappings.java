package dev.natgw.nat;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.StaticMappingEntry;
import dev.natgw.nat.fastpath.PoolRuntime;
import dev.natgw.nat.fastpath.WorkerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static mappings: those in force (the manager's {@code statics}, which the workers see in the snapshot), the
 * configuration each came from, and the configured ones refused because they clash with one in force. A refused
 * mapping is not dropped: it is logged once, listed, and tried again, in the order the configurations came,
 * whenever a mapping leaves. Control plane only; every method takes the manager's lock.
 */
final class StaticMappings {
    private static final Logger LOG = LoggerFactory.getLogger(StaticMappings.class);

    private final NatManager m;
    /** The configuration of each mapping in force that came from one. */
    private final Map<StaticMapping, String> sources = new HashMap<>();
    /** Configured mappings refused for a clash, by configuration, oldest first. */
    private final Map<String, StaticMappingEntry> refused = new LinkedHashMap<>();

    StaticMappings(NatManager m) {
        this.m = m;
    }

    /** Puts a mapping in force, reserving its port in the pools; refuses one that clashes. */
    void add(StaticMapping mapping) {
        synchronized (m.lock) {
            for (StaticMapping s : m.statics) {
                if (s.protocol() == mapping.protocol()
                        && (s.global().equals(mapping.global()) || s.inside().equals(mapping.inside()))) {
                    throw new IllegalArgumentException("static mapping " + describe(mapping) + " clashes with "
                            + describe(s) + (sources.containsKey(s) ? " of " + sources.get(s) : ""));
                }
            }
            portRequest(WorkerRequest.RESERVE, mapping);
            m.statics.add(mapping);
            m.publish();
        }
    }

    /** Takes a mapping out of force; a refused mapping it clashed with may apply then. */
    boolean remove(Protocol protocol, Endpoint global) {
        synchronized (m.lock) {
            StaticMapping s = find(protocol, global);
            if (s == null) {
                return false;
            }
            m.statics.remove(s);
            sources.remove(s);
            m.publish();
            portRequest(WorkerRequest.UNRESERVE, s);
            retryRefused();
            return true;
        }
    }

    /** {@return the mapping in force for the protocol and global endpoint, or null; under the lock} */
    StaticMapping find(Protocol protocol, Endpoint global) {
        for (StaticMapping s : m.statics) {
            if (s.protocol() == protocol && s.global().equals(global)) {
                return s;
            }
        }
        return null;
    }

    /** {@return the configuration a mapping in force came from, or ""; under the lock} */
    String source(StaticMapping s) {
        return sources.getOrDefault(s, "");
    }

    /** As {@link NatManager#configureStaticMapping}. */
    String configure(String configuration, StaticMapping mapping) {
        synchronized (m.lock) {
            if (mapping.equals(appliedBy(configuration))) {
                return "";
            }
            StaticMappingEntry was = refused.get(configuration);
            if (was != null && was.mapping().equals(mapping)) {
                return was.refusal();
            }
            unconfigure(configuration);
            if (m.statics.contains(mapping) && !sources.containsKey(mapping)) {
                // in force already without a configuration: handed over by the previous revision, or saved by a
                // command whose configuration arrives now
                sources.put(mapping, configuration);
                return "";
            }
            try {
                add(mapping);
            } catch (IllegalArgumentException clash) {
                refused.put(configuration, new StaticMappingEntry(mapping, configuration, clash.getMessage()));
                LOG.warn("NAT static mapping of configuration {} refused: {}; it applies once that mapping is gone",
                        configuration, clash.getMessage());
                return clash.getMessage();
            }
            sources.put(mapping, configuration);
            LOG.info("NAT static mapping {} in force (configuration {})", describe(mapping), configuration);
            return "";
        }
    }

    /** As {@link NatManager#unconfigureStaticMapping}. */
    boolean unconfigure(String configuration) {
        synchronized (m.lock) {
            if (refused.remove(configuration) != null) {
                return true;
            }
            StaticMapping s = appliedBy(configuration);
            return s != null && remove(s.protocol(), s.global());
        }
    }

    /**
     * Forgets a refused configured mapping of a protocol and global endpoint.
     *
     * @return its configuration, or null if there was none
     */
    String dropRefused(Protocol protocol, Endpoint global) {
        synchronized (m.lock) {
            for (StaticMappingEntry e : refused.values()) {
                if (e.mapping().protocol() == protocol && e.mapping().global().equals(global)) {
                    refused.remove(e.configuration());
                    return e.configuration();
                }
            }
            return null;
        }
    }

    /** As {@link NatManager#staticMappingEntries}: in force first. */
    List<StaticMappingEntry> entries() {
        synchronized (m.lock) {
            List<StaticMappingEntry> out = new ArrayList<>();
            for (StaticMapping s : m.statics) {
                out.add(new StaticMappingEntry(s, source(s), ""));
            }
            out.addAll(refused.values());
            return out;
        }
    }

    private StaticMapping appliedBy(String configuration) {
        for (Map.Entry<StaticMapping, String> e : sources.entrySet()) {
            if (e.getValue().equals(configuration)) {
                return e.getKey();
            }
        }
        return null;
    }

    private void retryRefused() {
        for (StaticMappingEntry e : List.copyOf(refused.values())) {
            try {
                add(e.mapping());
            } catch (IllegalArgumentException stillClashes) {
                continue;
            }
            refused.remove(e.configuration());
            sources.put(e.mapping(), e.configuration());
            LOG.info("NAT static mapping {} of configuration {} was refused and is in force now",
                    describe(e.mapping()), e.configuration());
        }
    }

    /** Asks the worker owning a static mapping's global port in a pool to (un)reserve it; under the lock. */
    private void portRequest(int kind, StaticMapping s) {
        if (m.engine == null) {
            return;
        }
        for (Map.Entry<String, Integer> e : m.poolSlots.slotOf.entrySet()) {
            PoolRuntime r = m.poolSlots.slots[e.getValue()];
            int addrIndex = PoolSlots.addressIndex(r.definition(), s.global().address());
            int port = s.global().port();
            if (addrIndex < 0 || port < r.definition().portMin() || port > r.definition().portMax()) {
                continue;
            }
            for (int w = 0; w < m.engine.workers(); w++) {
                // only the owner holds the port; the others answer false at once
                m.mailbox.ask(m.engine, w,
                        WorkerRequest.port(kind, s.protocol().number(), e.getValue(), addrIndex, port));
            }
        }
    }

    static String describe(StaticMapping s) {
        return s.protocol() + " " + s.global() + " -> " + s.inside();
    }
}
