package dev.natgw.benchmarks;

import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.nat.fastpath.PortAllocator;
import dev.natgw.nat.fastpath.PortOwnership;
import dev.natgw.nat.fastpath.SessionTable;
import dev.natgw.nat.fastpath.Toeplitz;

/**
 * Prints the memory the translator's per-worker structures take: {@link SessionTable} bytes per session of
 * capacity at 1M and 10M sessions (all of it off-heap and allocated up front, so capacity is what counts; no
 * Java object per session), and {@link PortAllocator} bytes per address-port pair for a /24 pool and for one
 * address over four workers. Not a JMH benchmark: these are sizes, not times.
 */
public final class MemoryPerSession {
    private MemoryPerSession() {
    }

    /**
     * Prints the figures.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("SessionTable (target <= 128 B per session)");
        for (int capacity : new int[]{1_000_000, 10_000_000}) {
            int hosts = 65_536;
            try (SessionTable t = new SessionTable(capacity, hosts)) {
                System.out.printf("  %,11d sessions: %,14d bytes off-heap with a %,d-host quota table;"
                        + " %.1f B/session without it, %.1f B/session with it%n", capacity, t.bytes(), hosts,
                        t.bytesPerSession(), (double) t.bytes() / capacity);
            }
        }
        System.out.println("PortAllocator (4 workers, ports 1025..65535, hold-down FIFO at its default size)");
        RssConfig rss = RssConfig.symmetricDefault(4);
        int[] workerForQueue = {0, 1, 2, 3};
        Toeplitz t = new Toeplitz(rss.key());
        PortOwnership own = new PortOwnership(t, rss, workerForQueue, 1025, 65535);
        for (int addresses : new int[]{1, 256}) {
            int[] addrs = new int[addresses];
            for (int i = 0; i < addresses; i++) {
                addrs[i] = Ipv4.parse("198.19.1.0") + i;
            }
            long bytes = 0;
            long bare = 0;
            long pairs = 0;
            for (int w = 0; w < 4; w++) {
                PortAllocator a = new PortAllocator(own, t, w, addrs, 30_000_000_000L);
                bytes += a.bytes();
                pairs += a.total();
                // a one-entry hold-down FIFO: what the pairs themselves cost
                bare += new PortAllocator(own, t, w, addrs, 30_000_000_000L, 1).bytes();
            }
            System.out.printf("  %3d address(es): %,12d bytes for %,d address-port pairs (TCP, UDP and ICMP"
                    + " each): %.2f B per pair; %.2f B per pair without the hold-down FIFO%n", addresses, bytes,
                    pairs, (double) bytes / pairs, (double) bare / pairs);
        }
    }
}
