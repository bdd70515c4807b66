package dev.natgw.api.nat;

/**
 * What the translator does with IP packets of protocols other than TCP, UDP and ICMP, which have no
 * ports.
 */
public enum OtherProtocolPolicy {
    /**
     * Translate the address only: the inside address is rewritten to an outside address of the pool and
     * the return traffic of that protocol is matched by address pair.
     */
    ADDRESS_ONLY,
    /** Drop them, counted under their own reason. */
    DROP;
}
