package dev.natgw.api.nat;

import java.util.Objects;

/**
 * How much of a pool is in use. Ports are counted as address-port pairs summed over the three
 * separate spaces of TCP ports, UDP ports and ICMP identifiers; a pair is in use while mapped and
 * during its hold-down after. The pairs in hold-down are also counted apart, in {@code portsHeld}, so
 * {@code portsInUse - portsHeld} are mapped and {@code portsTotal - portsInUse} are free.
 *
 * @param pool the pool's name
 * @param addresses the pool's outside addresses, at least 0
 * @param portsTotal all address-port pairs of the pool, at least 0
 * @param portsInUse the pairs in use, 0..portsTotal
 * @param tcpSessions live TCP sessions
 * @param udpSessions live UDP sessions
 * @param icmpSessions live ICMP sessions
 * @param portsHeld the pairs in hold-down, 0..portsInUse (since 1.2)
 * @param blocksInUse the port blocks inside hosts hold now, 0 for a pool that allocates per session (since 1.5)
 */
public record PoolUsage(String pool, long addresses, long portsTotal, long portsInUse, long tcpSessions,
        long udpSessions, long icmpSessions, long portsHeld, long blocksInUse) {
    /** Validates. */
    public PoolUsage {
        Objects.requireNonNull(pool, "pool");
        Checks.nonNegative("addresses", addresses);
        Checks.nonNegative("portsTotal", portsTotal);
        if (portsInUse < 0 || portsInUse > portsTotal) {
            throw new IllegalArgumentException("portsInUse must be 0.." + portsTotal + ", was " + portsInUse);
        }
        Checks.nonNegative("tcpSessions", tcpSessions);
        Checks.nonNegative("udpSessions", udpSessions);
        Checks.nonNegative("icmpSessions", icmpSessions);
        if (portsHeld < 0 || portsHeld > portsInUse) {
            throw new IllegalArgumentException("portsHeld must be 0.." + portsInUse + ", was " + portsHeld);
        }
        Checks.nonNegative("blocksInUse", blocksInUse);
    }

    /**
     * The form of version 1.4, without port blocks.
     *
     * @param pool the pool's name
     * @param addresses the pool's outside addresses
     * @param portsTotal all address-port pairs of the pool
     * @param portsInUse the pairs in use
     * @param tcpSessions live TCP sessions
     * @param udpSessions live UDP sessions
     * @param icmpSessions live ICMP sessions
     * @param portsHeld the pairs in hold-down
     */
    public PoolUsage(String pool, long addresses, long portsTotal, long portsInUse, long tcpSessions,
            long udpSessions, long icmpSessions, long portsHeld) {
        this(pool, addresses, portsTotal, portsInUse, tcpSessions, udpSessions, icmpSessions, portsHeld, 0);
    }

    /**
     * The form of version 1.1, without a figure for hold-down: none counted as held.
     *
     * @param pool the pool's name
     * @param addresses the pool's outside addresses
     * @param portsTotal all address-port pairs of the pool
     * @param portsInUse the pairs in use
     * @param tcpSessions live TCP sessions
     * @param udpSessions live UDP sessions
     * @param icmpSessions live ICMP sessions
     */
    public PoolUsage(String pool, long addresses, long portsTotal, long portsInUse, long tcpSessions,
            long udpSessions, long icmpSessions) {
        this(pool, addresses, portsTotal, portsInUse, tcpSessions, udpSessions, icmpSessions, 0);
    }

    /** {@return the pairs mapped to sessions now: in use and not held} */
    public long portsMapped() {
        return portsInUse - portsHeld;
    }

    /** {@return the pairs free for new sessions} */
    public long portsFree() {
        return portsTotal - portsInUse;
    }

    /** {@return portsInUse over portsTotal, 0..1; 0 for an empty pool} */
    public double usedShare() {
        return portsTotal == 0 ? 0.0 : (double) portsInUse / portsTotal;
    }
}
