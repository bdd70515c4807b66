package dev.natgw.nat.fastpath;

import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.Timeouts;
import java.time.Duration;

/**
 * Everything the workers read of the configuration, immutable, published by the control plane through a
 * volatile field and read once at the top of each burst and tick. A change of pools, static mappings,
 * timeouts or policy makes a new snapshot; workers never see a half-made change.
 *
 * @param active the pools new sessions draw from, in order of preference
 * @param slots every pool runtime by slot, including removed pools whose sessions still live; null where
 *     no pool ever used the slot
 * @param addresses the outside addresses of {@code slots}, to tell our traffic from other traffic
 * @param statics the static mappings
 * @param udpNanos UDP idle timeout
 * @param tcpEstablishedNanos TCP established (and half-closed) idle timeout
 * @param tcpTransitoryNanos TCP opening, closing and reset idle timeout
 * @param icmpNanos ICMP query idle timeout
 * @param synHoldNanos how long an outside-opened TCP session waits for the inside's answer
 * @param otherAddressOnly whether other IP protocols get address-only translation (else dropped)
 * @param inside the sources inside packets may have
 * @param icmpErrorsFromQuotedDestination whether an inside ICMP error must come from the quoted packet's
 *     destination
 * @param icmpAnswersPerSecond ICMP answers to refused flows each worker may send a second, 0 for none
 * @param unansweredNanos how long a UDP session opened from outside lives until the inside answers
 * @param inboundRefresh whether outside packets refresh a session (else only inside packets do)
 */
public record NatSnapshot(PoolRuntime[] active, PoolRuntime[] slots, AddressMap addresses, StaticTable statics,
        long udpNanos, long tcpEstablishedNanos, long tcpTransitoryNanos, long icmpNanos, long synHoldNanos,
        boolean otherAddressOnly, InsidePrefixes inside, boolean icmpErrorsFromQuotedDestination,
        int icmpAnswersPerSecond, long unansweredNanos, boolean inboundRefresh) {
    /** The most pools an engine can hold over its life, the slot being stored in a byte of each mapping. */
    public static final int MAX_POOLS = 255;
    /** The pool slot of mappings made from static mappings. */
    public static final int STATIC_SLOT = 255;

    /**
     * Makes a snapshot.
     *
     * @param active the pools new sessions draw from
     * @param slots every pool runtime by slot, length {@link #MAX_POOLS}
     * @param statics the static mappings
     * @param timeouts the timeouts
     * @param policy the policy for other protocols
     * @param inside the sources inside packets may have
     * @param icmpErrorsFromQuotedDestination whether an inside ICMP error must come from the quoted packet's
     *     destination
     * @param icmpAnswersPerSecond ICMP answers to refused flows each worker may send a second, 0 for none
     * @param unanswered how long a UDP session opened from outside lives until the inside answers
     * @param inboundRefresh whether outside packets refresh a session
     * @return the snapshot
     */
    public static NatSnapshot of(PoolRuntime[] active, PoolRuntime[] slots, StaticTable statics, Timeouts timeouts,
            OtherProtocolPolicy policy, InsidePrefixes inside, boolean icmpErrorsFromQuotedDestination,
            int icmpAnswersPerSecond, Duration unanswered, boolean inboundRefresh) {
        return new NatSnapshot(active, slots, new AddressMap(slots, statics), statics, timeouts.udp().toNanos(),
                timeouts.tcpEstablished().toNanos(), timeouts.tcpTransitory().toNanos(), timeouts.icmp().toNanos(),
                timeouts.tcpSynHold().toNanos(), policy == OtherProtocolPolicy.ADDRESS_ONLY, inside,
                icmpErrorsFromQuotedDestination, icmpAnswersPerSecond, unanswered.toNanos(), inboundRefresh);
    }
}
