package dev.natgw.nat.handover;

/**
 * Where each worker counter lives among the {@code long}s a worker publishes into its session table's counters
 * segment ({@link SessionLayout#COUNTER_SLOTS} of them). A worker that adopts a table goes on from the values at
 * {@code 0..}{@link #ADOPTED}{@code -1} (the totals and the drops); the per-pool live sessions from {@link #POOLS}
 * on it recounts from the sessions. The numbers are pinned: changing one, or {@link Drops#SLOTS}, bumps
 * {@link HandOverFormat#LAYOUT_VERSION}. Constants only.
 */
public final class CounterIndex {
    /** Packets translated inside to outside. */
    public static final int IN2OUT = 0;
    /** Packets translated outside to inside. */
    public static final int OUT2IN = 1;
    /** Sessions created. */
    public static final int CREATED = 2;
    /** Sessions deleted. */
    public static final int DELETED = 3;
    /** New sessions refused because no pool had a port. */
    public static final int EXHAUSTED = 4;
    /** New sessions refused by a per-host quota. */
    public static final int QUOTA = 5;
    /** Packets handed to another worker. */
    public static final int HANDOFFS = 6;
    /** NAT events lost because the event ring was full. */
    public static final int EVENTS_LOST = 7;
    /** Drop counters: {@code DROPS + }{@link Drops} code, {@link Drops#SLOTS} of them. */
    public static final int DROPS = 8;
    /** Live sessions of pool slot {@code s} and protocol index {@code p} (TCP 0, UDP 1, ICMP 2): {@code POOLS + 3 * s + p}. */
    public static final int POOLS = 48;
    /** The counters an adopting worker goes on from: {@code 0..ADOPTED-1}. */
    public static final int ADOPTED = POOLS;
    /** Pool slots with live-session counters. */
    public static final int POOL_SLOTS = 256;
    /** All the counters a worker keeps. */
    public static final int COUNT = POOLS + 3 * POOL_SLOTS;

    static {
        // a drop code beyond the drops' room would overlap the pool counters
        if (DROPS + Drops.SLOTS != POOLS || Drops.COUNT > Drops.SLOTS || COUNT > SessionLayout.COUNTER_SLOTS) {
            throw new ExceptionInInitializerError("counter index map inconsistent: drops end at "
                    + (DROPS + Drops.COUNT) + " of " + (DROPS + Drops.SLOTS) + ", pools at " + POOLS + ", " + COUNT
                    + " counters");
        }
    }

    private CounterIndex() {
    }
}
