package dev.natgw.api.nat;

import java.util.Map;

/**
 * The translator's counters since it started, summed over all workers; all are non-negative.
 *
 * @param sessionsCreated sessions created
 * @param sessionsDeleted sessions deleted (expired, closed or cleared)
 * @param sessionsActive sessions alive now
 * @param packetsIn2Out packets translated from inside to outside
 * @param packetsOut2In packets translated from outside to inside
 * @param refusedExhausted new sessions refused because the pool had no free port
 * @param refusedQuota new sessions refused because the inside host reached its port quota
 * @param handoffs packets handed to the worker that owns their session
 * @param handoffDrops packets dropped because the owning worker's ring was full
 * @param drops packets dropped, per reason (such as {@code "truncated"}, {@code "bad-checksum"},
 *     {@code "fragment"})
 * @param tcpStates live TCP sessions per state, exact (counted by the workers as sessions are created, change
 *     state and end, not sampled); a state not in the map has none; never {@link TcpState#NONE} (since 1.2)
 */
public record NatCounters(long sessionsCreated, long sessionsDeleted, long sessionsActive, long packetsIn2Out,
        long packetsOut2In, long refusedExhausted, long refusedQuota, long handoffs, long handoffDrops,
        Map<String, Long> drops, Map<TcpState, Long> tcpStates) {
    /** Validates and copies the drop map. */
    public NatCounters {
        Checks.nonNegative("sessionsCreated", sessionsCreated);
        Checks.nonNegative("sessionsDeleted", sessionsDeleted);
        Checks.nonNegative("sessionsActive", sessionsActive);
        Checks.nonNegative("packetsIn2Out", packetsIn2Out);
        Checks.nonNegative("packetsOut2In", packetsOut2In);
        Checks.nonNegative("refusedExhausted", refusedExhausted);
        Checks.nonNegative("refusedQuota", refusedQuota);
        Checks.nonNegative("handoffs", handoffs);
        Checks.nonNegative("handoffDrops", handoffDrops);
        drops = Map.copyOf(drops);
        drops.forEach((reason, count) -> Checks.nonNegative("drops[" + reason + "]", count));
        tcpStates = Map.copyOf(tcpStates);
        tcpStates.forEach((state, count) -> Checks.nonNegative("tcpStates[" + state + "]", count));
        if (tcpStates.containsKey(TcpState.NONE)) {
            throw new IllegalArgumentException("tcpStates must not count NONE, the state of non-TCP sessions");
        }
    }

    /**
     * The form of version 1.1, without the TCP sessions per state: none counted.
     *
     * @param sessionsCreated sessions created
     * @param sessionsDeleted sessions deleted
     * @param sessionsActive sessions alive now
     * @param packetsIn2Out packets translated from inside to outside
     * @param packetsOut2In packets translated from outside to inside
     * @param refusedExhausted new sessions refused for an exhausted pool
     * @param refusedQuota new sessions refused for the inside host's quota
     * @param handoffs packets handed to the owning worker
     * @param handoffDrops packets dropped for a full ring
     * @param drops packets dropped, per reason
     */
    public NatCounters(long sessionsCreated, long sessionsDeleted, long sessionsActive, long packetsIn2Out,
            long packetsOut2In, long refusedExhausted, long refusedQuota, long handoffs, long handoffDrops,
            Map<String, Long> drops) {
        this(sessionsCreated, sessionsDeleted, sessionsActive, packetsIn2Out, packetsOut2In, refusedExhausted,
                refusedQuota, handoffs, handoffDrops, drops, Map.of());
    }

    /**
     * Returns the live TCP sessions in one state.
     *
     * @param state the state
     * @return their number, 0 if none (always for {@link TcpState#NONE})
     */
    public long tcpSessions(TcpState state) {
        return tcpStates.getOrDefault(state, 0L);
    }

    /**
     * Returns the drops counted under one reason.
     *
     * @param reason the reason
     * @return its count, 0 if it was never counted
     */
    public long drops(String reason) {
        return drops.getOrDefault(reason, 0L);
    }
}
