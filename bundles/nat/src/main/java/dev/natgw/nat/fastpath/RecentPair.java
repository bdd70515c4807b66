package dev.natgw.nat.fastpath;

/** Receives the address-port pairs {@link PortAllocator#visitRecent} lists. Control plane. */
public interface RecentPair {
    /**
     * One pair.
     *
     * @param proto 6, 17 or 1
     * @param address the outside address, network order
     * @param port the port
     * @param due when it may serve again, {@link System#nanoTime()} time
     */
    void pair(int proto, int address, int port, long due);
}
