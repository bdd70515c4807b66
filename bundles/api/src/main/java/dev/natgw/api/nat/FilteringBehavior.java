package dev.natgw.api.nat;

/**
 * Which outside packets the translator lets in through an existing mapping, as defined in RFC 4787
 * section 5 (UDP) and applied to TCP by RFC 5382.
 */
public enum FilteringBehavior {
    /**
     * Endpoint-Independent Filtering: any remote may send to the mapping's outside endpoint. Most
     * transparent.
     */
    ENDPOINT_INDEPENDENT,
    /**
     * Address-Dependent Filtering: a remote may send in only if the inside endpoint has sent to that
     * remote's address (from any port).
     */
    ADDRESS_DEPENDENT,
    /**
     * Address and Port-Dependent Filtering: a remote may send in only if the inside endpoint has sent
     * to that exact remote address and port. Most restrictive.
     */
    ADDRESS_AND_PORT_DEPENDENT;

    /**
     * The default, {@link #ADDRESS_DEPENDENT}. RFC 4787 REQ-8 and RFC 5382 REQ-3 recommend
     * Endpoint-Independent Filtering where application transparency matters most and Address-Dependent
     * Filtering where more stringent filtering does; natgw defaults to the secure recommendation.
     */
    public static final FilteringBehavior DEFAULT = ADDRESS_DEPENDENT;
}
