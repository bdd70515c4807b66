package dev.natgw.api.nat;

/**
 * One inside address of a deterministic pool and the outside ports it owns (RFC 7422): every port of
 * {@code portFirst..portLast} on {@code outside}, for TCP, UDP and ICMP identifiers alike.
 *
 * @param pool the pool's name
 * @param inside the inside address
 * @param outside the outside address
 * @param portFirst the first port of the block
 * @param portLast the last port of the block
 * @param worker the worker whose ports these are
 * @since 1.5
 */
public record DeterministicMapping(String pool, int inside, int outside, int portFirst, int portLast, int worker) {
    /**
     * Tells whether the block holds a port.
     *
     * @param port the port
     * @return true if {@code portFirst <= port <= portLast}
     */
    public boolean containsPort(int port) {
        return port >= portFirst && port <= portLast;
    }
}
