package dev.natgw.api.nat;

/**
 * How the translator reuses an outside endpoint for one inside endpoint talking to several remotes,
 * as defined in RFC 4787 section 4.1 (UDP) and applied to TCP by RFC 5382.
 */
public enum MappingBehavior {
    /**
     * Endpoint-Independent Mapping: an inside endpoint keeps the same outside endpoint for every
     * remote, which NAT traversal relies on. Required by RFC 4787 REQ-1 and RFC 5382 REQ-1.
     */
    ENDPOINT_INDEPENDENT,
    /**
     * Address and Port-Dependent Mapping: an inside endpoint gets a fresh outside endpoint for each
     * remote address and port ("symmetric NAT"); stricter, but breaks NAT traversal.
     */
    ADDRESS_AND_PORT_DEPENDENT;

    /** The default, {@link #ENDPOINT_INDEPENDENT}, as RFC 4787 REQ-1 requires. */
    public static final MappingBehavior DEFAULT = ENDPOINT_INDEPENDENT;
}
