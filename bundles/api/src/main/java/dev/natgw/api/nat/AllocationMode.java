package dev.natgw.api.nat;

/**
 * How a pool hands out outside ports, and so what it must log for an outside endpoint to be traced back to a
 * subscriber (RFC 6888 REQ-12, RFC 7422).
 *
 * @since 1.5
 */
public enum AllocationMode {
    /** A port per mapping, from anywhere in the pool; one log record per mapping created and deleted. */
    PER_SESSION,
    /**
     * An inside host gets blocks of ports and maps inside them, one log record per block allocated and released
     * (RFC 8158 natEvent 14 and 15); no record per mapping.
     */
    PORT_BLOCKS,
    /**
     * Each inside address of a prefix owns a fixed block, computed from the configuration (RFC 7422): nothing is
     * logged, and "who had this address and port" is answered from the formula.
     */
    DETERMINISTIC
}
