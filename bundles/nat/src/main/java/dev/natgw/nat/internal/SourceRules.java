package dev.natgw.nat.internal;

import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.nat.fastpath.InsidePrefixes;
import java.util.List;

/**
 * Which inside packets the translator believes about their sender: the inside prefixes sources must lie in, and
 * whether an inside ICMP error must come from the host the quoted packet was sent to. Immutable.
 *
 * @param insidePrefixes the ranges inside sources must lie in, 1..{@link InsidePrefixes#MAX} of them
 * @param icmpErrorsFromQuotedDestination whether an inside ICMP error is accepted only from the quoted packet's
 *     destination (else from any source in the prefixes, for inside routers that report on their hosts' behalf)
 */
public record SourceRules(List<Ipv4Range> insidePrefixes, boolean icmpErrorsFromQuotedDestination) {

    /**
     * The special-use ranges inside networks are numbered from: RFC 1918's private ranges, RFC 6598's shared
     * address space and RFC 2544's benchmarking range.
     */
    public static final List<String> DEFAULT_PREFIXES = List.of("10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12",
            "192.168.0.0/16", "198.18.0.0/15");

    /** The shipped defaults: {@link #DEFAULT_PREFIXES}, and ICMP errors only from the quoted destination. */
    public static final SourceRules DEFAULTS = new SourceRules(
            DEFAULT_PREFIXES.stream().map(Ipv4Range::parse).toList(), true);

    /** Who may send an inside ICMP error about a session: the values of {@code inside.icmp.errors}. */
    public enum InsideIcmpErrors {
        /** Only the host the quoted packet was sent to. */
        QUOTED_DESTINATION,
        /** Any source in the inside prefixes. */
        INSIDE_PREFIXES
    }

    /** Validates and copies. */
    public SourceRules {
        insidePrefixes = List.copyOf(insidePrefixes);
        if (insidePrefixes.isEmpty() || insidePrefixes.size() > InsidePrefixes.MAX) {
            throw new IllegalArgumentException("inside.prefixes must list 1.." + InsidePrefixes.MAX + " ranges, were "
                    + insidePrefixes.size());
        }
    }
}
