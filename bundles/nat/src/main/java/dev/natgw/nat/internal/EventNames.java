package dev.natgw.nat.internal;

import dev.natgw.nat.fastpath.EventRing;

/** The names of NAT events and protocols as the event log and syslog print them. */
public final class EventNames {
    private EventNames() {
    }

    /**
     * Names an event type.
     *
     * @param type an {@link EventRing} constant
     * @return its name in the event log
     */
    public static String name(int type) {
        return switch (type) {
            case EventRing.CREATED -> "mapping-created";
            case EventRing.DELETED -> "mapping-deleted";
            case EventRing.REFUSED_EXHAUSTED -> "refused-exhausted";
            case EventRing.BLOCK_ALLOCATED -> "block-allocated";
            case EventRing.BLOCK_RELEASED -> "block-released";
            default -> "refused-quota";
        };
    }

    /**
     * Tells whether an event is about a port block, whose inside port field carries the block's size and outside
     * port its first port.
     *
     * @param type an {@link EventRing} constant
     * @return true for a block allocated or released
     */
    public static boolean isBlock(int type) {
        return type == EventRing.BLOCK_ALLOCATED || type == EventRing.BLOCK_RELEASED;
    }

    /**
     * Names a protocol.
     *
     * @param proto the IP protocol number
     * @return tcp, udp, icmp or proto-N
     */
    public static String protocol(int proto) {
        return proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 1 ? "icmp" : "proto-" + proto;
    }
}
