package dev.natgw.nat.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.natgw.api.nat.AllocationMode;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.StaticMappingEntry;
import dev.natgw.api.nat.TcpState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the nat: listings. The API records keep addresses as {@code int}s; these views
 * write them as dotted strings ({@code "198.19.0.1"}, {@code "10.0.0.2:40000"}) so a script need not
 * decode them.
 */
final class NatJson {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private NatJson() {
    }

    static String write(Object view) {
        try {
            return MAPPER.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            // only records of strings, numbers and lists reach here, which always serialize
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    record Pools(List<Pool> pools) {
    }

    record Pool(String name, List<String> addresses, int portMin, int portMax, String mapping, String filtering,
            boolean pairedPooling, int perHostPortQuota, boolean icmpOnExhaustion, Limits limits,
            Allocation allocation, Usage usage) {

        static Pool of(PoolDefinition p, PoolUsage u) {
            SubscriberLimits l = p.limits();
            return new Pool(p.name(), p.addresses().stream().map(Object::toString).toList(), p.portMin(),
                    p.portMax(), p.mapping().name(), p.filtering().name(), p.pairedPooling(), p.perHostPortQuota(),
                    p.icmpOnExhaustion(), new Limits(p.perHostPortQuota(), l.sessionsPerHost(), l.mappingsPerSecond(),
                            l.mappingBurst(), l.inboundSessionsPerMapping()),
                    Allocation.of(p), u == null ? null : Usage.of(u));
        }
    }

    /**
     * How a pool hands out ports, named as its configuration keys are; the block figures are null for a pool that
     * allocates per session, blocksPerHost also for a deterministic one (a block each), insidePrefix but for it.
     */
    record Allocation(String mode, Integer blockSize, Integer blocksPerHost, String insidePrefix, Long blocksTotal) {

        static Allocation of(PoolDefinition p) {
            PortAllocation a = p.allocation();
            if (!a.inBlocks()) {
                return new Allocation(a.mode().name(), null, null, null, null);
            }
            return new Allocation(a.mode().name(), a.blockSize(), a.mode() == AllocationMode.PORT_BLOCKS
                    ? a.blocksPerHost()
                    : null, a.insidePrefix() == null ? null : a.insidePrefix().toString(), NatJson.blocksTotal(p));
        }
    }

    /** {@return the whole blocks of a block pool: its addresses times the aligned blocks in its port range} */
    static long blocksTotal(PoolDefinition p) {
        long n = p.allocation().blockSize();
        return p.addressCount() * ((p.portMax() + 1L) / n - (p.portMin() + n - 1L) / n);
    }

    /** A pool's subscriber limits, 0 for none, named as its configuration keys are. */
    record Limits(int portsPerHost, int sessionsPerHost, int newMappingsPerSecond, int newMappingsBurst,
            int inboundSessionsPerMapping) {
    }

    /** A pool's use; blocksInUse is 0 for a pool that allocates per session. */
    record Usage(long addresses, long portsTotal, long portsInUse, long portsHeld, long portsFree,
            double usedPercent, long tcpSessions, long udpSessions, long icmpSessions, long blocksInUse) {

        static Usage of(PoolUsage u) {
            return new Usage(u.addresses(), u.portsTotal(), u.portsInUse(), u.portsHeld(), u.portsFree(), percent(u),
                    u.tcpSessions(), u.udpSessions(), u.icmpSessions(), u.blocksInUse());
        }
    }

    /** Share of ports in use, in percent rounded to two decimals. */
    static double percent(PoolUsage u) {
        return Math.round(u.usedShare() * 10000.0) / 100.0;
    }

    record Statics(List<Static> statics) {
    }

    record Static(String protocol, String global, String inside, boolean active, String refusal,
            String configuration) {

        static Static of(StaticMappingEntry e) {
            return new Static(e.mapping().protocol().name(), e.mapping().global().toString(),
                    e.mapping().inside().toString(), e.active(), e.refusal(), e.configuration());
        }
    }

    record Sessions(int shown, long total, List<Session> sessions) {
    }

    record Session(String protocol, String inside, String outside, String remote, String state, long idleMillis,
            long ageMillis, int worker, String pool) {

        static Session of(SessionInfo s) {
            return new Session(s.protocol().name(), s.inside().toString(), s.outside().toString(),
                    s.remote().toString(), s.state().name(), s.idleMillis(), s.ageMillis(), s.worker(), s.pool());
        }
    }

    record Stats(long sessions, Counters counters, Map<String, Long> tcpStates, Map<String, Long> drops) {
    }

    /** Live TCP sessions per state, every state but NONE, in the enum's order. */
    static Map<String, Long> tcpStates(NatCounters c) {
        Map<String, Long> byState = new LinkedHashMap<>();
        for (TcpState st : TcpState.values()) {
            if (st != TcpState.NONE) {
                byState.put(st.name(), c.tcpSessions(st));
            }
        }
        return byState;
    }

    record Counters(long sessionsCreated, long sessionsDeleted, long sessionsActive, long packetsIn2Out,
            long packetsOut2In, long refusedExhausted, long refusedQuota, long handoffs, long handoffDrops) {

        static Counters of(NatCounters c) {
            return new Counters(c.sessionsCreated(), c.sessionsDeleted(), c.sessionsActive(), c.packetsIn2Out(),
                    c.packetsOut2In(), c.refusedExhausted(), c.refusedQuota(), c.handoffs(), c.handoffDrops());
        }
    }

    /** The non-zero drops, most first, ties by reason; insertion-ordered so JSON keeps that order. */
    static Map<String, Long> nonZeroDrops(NatCounters c) {
        Map<String, Long> sorted = new LinkedHashMap<>();
        c.drops().entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }
}
