package dev.natgw.console.model;

import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.PortUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.TcpState;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Overview view's figures, read from {@link NatService} in one go: pool use per pool, per outside address and
 * per worker; live sessions per protocol; TCP sessions per state; the counters and drops by reason. The same
 * methods as {@code nat:pools}, {@code nat:ports} and {@code nat:stats} call, so the numbers agree.
 */
public final class OverviewModel {

    private OverviewModel() {
    }

    /**
     * Use of a pool's ports by one address or one worker: used (mapped, or reserved by a static mapping), in
     * hold-down after their session ended, and free; as {@code nat:ports}.
     *
     * @param pool the pool
     * @param key the address (dotted) or the worker ("worker N")
     * @param total pairs owned
     * @param inUse pairs busy (used or in hold-down)
     * @param held pairs in hold-down, 0..inUse
     */
    public record PortRow(String pool, String key, long total, long inUse, long held) {
        /** {@return the free pairs} */
        public long free() {
            return total - inUse;
        }

        /** {@return the pairs used and not in hold-down} */
        public long used() {
            return inUse - held;
        }
    }

    /**
     * Everything the Overview shows.
     *
     * @param pools use per pool, as {@code nat:pools}
     * @param byAddress per pool and outside address, summed over workers, as {@code nat:ports}
     * @param byWorker per pool and worker, summed over addresses
     * @param sessions live sessions, as {@code nat:stats}
     * @param byProtocol live sessions per protocol, summed over pools
     * @param tcpStates live TCP sessions per state, exact, as {@code nat:stats}
     * @param counters the counters, as {@code nat:stats}
     * @param drops non-zero drops by reason, most first, as {@code nat:stats}
     * @param definitions the pools as configured, for their subscriber limits, as {@code nat:pools}
     */
    public record Snapshot(List<PoolUsage> pools, List<PortRow> byAddress, List<PortRow> byWorker, long sessions,
            Map<Protocol, Long> byProtocol, Map<TcpState, Long> tcpStates, NatCounters counters,
            Map<String, Long> drops, List<PoolDefinition> definitions) {
    }

    /**
     * Reads the figures.
     *
     * @param nat the NAT service, or null while absent
     * @return the figures, or why there are none
     */
    public static Reading<Snapshot> read(NatService nat) {
        return Reading.of(nat, "The NAT translator (NatService)", OverviewModel::snapshot);
    }

    static Snapshot snapshot(NatService nat) {
        List<PoolUsage> pools = nat.poolUsage();
        List<PortRow> byAddress = new ArrayList<>();
        List<PortRow> byWorker = new ArrayList<>();
        Map<Protocol, Long> byProtocol = new EnumMap<>(Protocol.class);
        for (Protocol p : Protocol.values()) {
            byProtocol.put(p, 0L);
        }
        for (PoolUsage pool : pools) {
            byProtocol.merge(Protocol.TCP, pool.tcpSessions(), Long::sum);
            byProtocol.merge(Protocol.UDP, pool.udpSessions(), Long::sum);
            byProtocol.merge(Protocol.ICMP, pool.icmpSessions(), Long::sum);
            Map<Integer, long[]> addresses = new LinkedHashMap<>();
            Map<Integer, long[]> workers = new TreeMap<>();
            for (PortUsage u : nat.portUsage(pool.pool())) {
                add(addresses.computeIfAbsent(u.address(), k -> new long[3]), u);
                add(workers.computeIfAbsent(u.worker(), k -> new long[3]), u);
            }
            addresses.forEach(
                    (addr, v) -> byAddress.add(new PortRow(pool.pool(), Ipv4.format(addr), v[0], v[1], v[2])));
            workers.forEach((w, v) -> byWorker.add(new PortRow(pool.pool(), "worker " + w, v[0], v[1], v[2])));
        }
        NatCounters counters = nat.counters();
        return new Snapshot(pools, byAddress, byWorker, nat.sessionCount(), byProtocol, tcpStates(counters), counters,
                nonZeroDrops(counters), nat.pools());
    }

    private static void add(long[] sum, PortUsage u) {
        sum[0] += u.portsTotal();
        sum[1] += u.portsInUse();
        sum[2] += u.portsHeld();
    }

    /**
     * The live TCP sessions per state, every state but NONE (0 where none), in the enum's order.
     *
     * @param c the counters
     * @return state to count
     */
    public static Map<TcpState, Long> tcpStates(NatCounters c) {
        Map<TcpState, Long> out = new EnumMap<>(TcpState.class);
        for (TcpState t : TcpState.values()) {
            if (t != TcpState.NONE) {
                out.put(t, c.tcpSessions(t));
            }
        }
        return out;
    }

    /**
     * The drops to show: non-zero, most first, ties by name.
     *
     * @param c the counters
     * @return reason to count
     */
    public static Map<String, Long> nonZeroDrops(NatCounters c) {
        Map<String, Long> out = new LinkedHashMap<>();
        c.drops().entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
