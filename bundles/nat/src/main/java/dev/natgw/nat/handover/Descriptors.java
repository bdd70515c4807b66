package dev.natgw.nat.handover;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.AllocationMode;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pool definitions and static mappings in a hand-over descriptor, written as JDK types only (maps, lists, strings,
 * numbers, booleans). An update of the natgw-api bundle gives the next translator new API classes: the previous
 * revision's {@code PoolDefinition} objects would not cast to them, so the descriptor carries none.
 */
public final class Descriptors {
    private Descriptors() {
    }

    /** {@return the pools as JDK values} */
    public static List<Map<String, Object>> pools(List<PoolDefinition> pools) {
        List<Map<String, Object>> out = new ArrayList<>(pools.size());
        for (PoolDefinition p : pools) {
            List<List<Integer>> ranges = new ArrayList<>();
            for (Ipv4Range r : p.addresses()) {
                ranges.add(List.of(r.first(), r.last()));
            }
            SubscriberLimits l = p.limits();
            out.add(Map.ofEntries(Map.entry("name", p.name()), Map.entry("addresses", List.copyOf(ranges)),
                    Map.entry("portMin", p.portMin()), Map.entry("portMax", p.portMax()),
                    Map.entry("mapping", p.mapping().name()), Map.entry("filtering", p.filtering().name()),
                    Map.entry("pairedPooling", p.pairedPooling()), Map.entry("perHostPortQuota", p.perHostPortQuota()),
                    Map.entry("icmpOnExhaustion", p.icmpOnExhaustion()), Map.entry("limits", List.of(
                            l.sessionsPerHost(), l.mappingsPerSecond(), l.mappingBurst(),
                            l.inboundSessionsPerMapping())),
                    Map.entry("allocation", allocation(p.allocation()))));
        }
        return List.copyOf(out);
    }

    /**
     * Reads pools written by {@link #pools(List)}.
     *
     * @throws RuntimeException (ClassCastException, IllegalArgumentException, NullPointerException) when a value
     *         is missing or of another shape: the descriptor is unreadable
     */
    @SuppressWarnings("unchecked")
    public static List<PoolDefinition> pools(Object value) {
        List<PoolDefinition> out = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) value) {
            List<Ipv4Range> ranges = new ArrayList<>();
            for (List<Integer> r : (List<List<Integer>>) m.get("addresses")) {
                ranges.add(new Ipv4Range(r.get(0), r.get(1)));
            }
            out.add(new PoolDefinition((String) m.get("name"), ranges, (Integer) m.get("portMin"),
                    (Integer) m.get("portMax"), MappingBehavior.valueOf((String) m.get("mapping")),
                    FilteringBehavior.valueOf((String) m.get("filtering")), (Boolean) m.get("pairedPooling"),
                    (Integer) m.get("perHostPortQuota"), (Boolean) m.get("icmpOnExhaustion"),
                    limits((List<Integer>) m.get("limits")), allocation((List<Object>) m.get("allocation"))));
        }
        return out;
    }

    /** The allocation as JDK values: the mode's name, block size, blocks per host, prefix's first and last. */
    private static List<Object> allocation(PortAllocation a) {
        Ipv4Range p = a.insidePrefix();
        return List.of(a.mode().name(), a.blockSize(), a.blocksPerHost(), p == null ? 0 : p.first(),
                p == null ? -1 : p.last(), p != null);
    }

    private static PortAllocation allocation(List<Object> a) {
        if (a == null) {
            return PortAllocation.PER_SESSION; // written before the allocation was
        }
        return new PortAllocation(AllocationMode.valueOf((String) a.get(0)), (Integer) a.get(1), (Integer) a.get(2),
                (Boolean) a.get(5) ? new Ipv4Range((Integer) a.get(3), (Integer) a.get(4)) : null);
    }

    private static SubscriberLimits limits(List<Integer> l) {
        return new SubscriberLimits(l.get(0), l.get(1), l.get(2), l.get(3));
    }

    /** {@return static mappings as JDK values: protocol number, global address and port, inside address and port} */
    public static List<List<Integer>> statics(List<StaticMapping> statics) {
        List<List<Integer>> out = new ArrayList<>(statics.size());
        for (StaticMapping s : statics) {
            out.add(List.of(s.protocol().number(), s.global().address(), s.global().port(), s.inside().address(),
                    s.inside().port()));
        }
        return List.copyOf(out);
    }

    /**
     * Reads static mappings written by {@link #statics(List)}.
     *
     * @throws RuntimeException when a value is missing or of another shape
     */
    @SuppressWarnings("unchecked")
    public static List<StaticMapping> statics(Object value) {
        List<StaticMapping> out = new ArrayList<>();
        for (List<Integer> s : (List<List<Integer>>) value) {
            out.add(new StaticMapping(Protocol.ofNumber(s.get(0)), new Endpoint(s.get(1), s.get(2)),
                    new Endpoint(s.get(3), s.get(4))));
        }
        return out;
    }
}
