package dev.natgw.dataplane.dpdk;

import java.util.List;

/**
 * The dataplane's own counters, per worker, by index: packets it dropped, by reason, and packets it
 * answered or made itself. Written only by the worker that owns the array; read by control threads,
 * which may see a count a moment late.
 */
final class Counters {
    // drops
    static final int RUNT = 0;
    static final int NOT_IPV4 = 1;
    static final int TO_SELF = 2;
    static final int NOT_ROUTED = 3;
    static final int TTL_EXPIRED = 4;
    static final int TOO_BIG = 5;
    static final int NO_ROUTE = 6;
    static final int NO_NEIGHBOUR = 7;
    static final int NEIGHBOUR_TABLE_FULL = 8;
    static final int NO_STAGE = 9;
    static final int STAGE_ERROR = 10;
    static final int TX_FULL = 11;
    static final int HANDOFF_FULL = 12;
    static final int ICMP_RATE_LIMITED = 13;
    static final int MULTI_SEGMENT = 14;
    static final int ARP_IGNORED = 15;
    // made or answered
    static final int ARP_REPLIES = 16;
    static final int ARP_REQUESTS = 17;
    static final int ECHO_REPLIES = 18;
    static final int TIME_EXCEEDED_SENT = 19;
    static final int FRAG_NEEDED_SENT = 20;
    static final int HANDOFFS = 21;
    static final int ARP_REFUSED = 22;
    /** Packets longer than the egress MTU (DF clear) sent as fragments: datagrams the kernel reassembled. */
    static final int FRAGMENTED = 23;
    /** Fragments made of them. */
    static final int FRAGMENTS_MADE = 24;
    /** Packets longer than the egress MTU that could not be cut (IP options, no free mbuf). */
    static final int CANNOT_FRAGMENT = 25;
    static final int COUNT = 26;

    /** The names, by index, as {@code dp:stats} and the Dataplane service show them. */
    static final List<String> NAMES = List.of("drop-runt", "drop-not-ipv4", "drop-to-self", "drop-not-routed",
            "drop-ttl-expired", "drop-too-big", "drop-no-route", "drop-no-neighbour", "drop-neighbour-table-full",
            "drop-no-stage", "drop-stage-error", "drop-tx-full", "drop-handoff-full", "drop-icmp-rate-limited",
            "drop-multi-segment", "drop-arp-ignored", "arp-replies", "arp-requests",
            "echo-replies", "time-exceeded-sent", "frag-needed-sent", "handoffs", "arp-refused",
            "fragmented", "fragments-made", "drop-cannot-fragment");

    private Counters() {
    }
}
