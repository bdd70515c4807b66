package dev.natgw.api.nat;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An address pool: the outside addresses and ports the translator maps inside endpoints to, and
 * how.
 *
 * @param name the pool's name, 1..32 characters of {@code [a-z0-9-]}
 * @param addresses the outside addresses, at least one range, no two overlapping
 * @param portMin the lowest port (or ICMP identifier) handed out, 1..portMax
 * @param portMax the highest port handed out, portMin..65535
 * @param mapping how outside endpoints are reused
 * @param filtering which outside packets a mapping lets in
 * @param pairedPooling whether all sessions of one inside address use the same outside address (RFC
 *     4787 REQ-2)
 * @param perHostPortQuota the most ports one inside address may hold per protocol, 0 for no limit
 * @param icmpOnExhaustion whether a packet refused because the pool or quota is exhausted is
 *     answered with an ICMP destination unreachable (instead of a silent drop)
 * @param limits what else one inside host may hold and open, and outside packets may open on its mappings (since
 *     1.4)
 * @param allocation how ports are handed out: per mapping, in blocks, or deterministically (since 1.5)
 */
public record PoolDefinition(String name, List<Ipv4Range> addresses, int portMin, int portMax,
        MappingBehavior mapping, FilteringBehavior filtering, boolean pairedPooling, int perHostPortQuota,
        boolean icmpOnExhaustion, SubscriberLimits limits, PortAllocation allocation) {
    /**
     * The default lowest port: ports below it are left alone, as well-known and registered ports
     * matter.
     */
    public static final int DEFAULT_PORT_MIN = 1025;
    /** The default highest port. */
    public static final int DEFAULT_PORT_MAX = 65535;
    /**
     * The default port quota per inside host and protocol: an eighth of an address's ports, so that one host
     * cannot take a whole address's ports (RFC 6888 REQ-4).
     */
    public static final int DEFAULT_PORT_QUOTA = 8192;

    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,32}");

    /** Validates and copies the address list. */
    public PoolDefinition {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1..32 characters of [a-z0-9-], was \"" + name + "\"");
        }
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("addresses must not be empty");
        }
        for (int i = 0; i < addresses.size(); i++) {
            for (int j = i + 1; j < addresses.size(); j++) {
                if (addresses.get(i).overlaps(addresses.get(j))) {
                    throw new IllegalArgumentException(
                            "addresses must not overlap, " + addresses.get(i) + " and " + addresses.get(j) + " do");
                }
            }
        }
        if (portMin < 1 || portMin > 65535) {
            throw new IllegalArgumentException("portMin must be 1..65535, was " + portMin);
        }
        if (portMax < portMin || portMax > 65535) {
            throw new IllegalArgumentException("portMax must be " + portMin + "..65535, was " + portMax);
        }
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(filtering, "filtering");
        Checks.nonNegative("perHostPortQuota", perHostPortQuota);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(allocation, "allocation");
        if (allocation.inBlocks()) {
            int n = allocation.blockSize();
            long blocks = ((portMax + 1L) / n) - ((portMin + n - 1L) / n);
            if (blocks < 1) {
                throw new IllegalArgumentException("ports " + portMin + ".." + portMax + " hold no whole block of "
                        + n + " ports aligned to " + n);
            }
            if (allocation.mode() == AllocationMode.DETERMINISTIC
                    && blocks * addressCount(addresses) < allocation.insidePrefix().size()) {
                throw new IllegalArgumentException("a deterministic pool needs a block for each of the "
                        + allocation.insidePrefix().size() + " inside addresses, has " + blocks + " blocks on "
                        + addressCount(addresses) + " addresses");
            }
        }
    }

    /**
     * The form of version 1.4, allocating a port per mapping ({@link PortAllocation#PER_SESSION}).
     *
     * @param name the pool's name
     * @param addresses the outside addresses
     * @param portMin the lowest port
     * @param portMax the highest port
     * @param mapping how outside endpoints are reused
     * @param filtering which outside packets a mapping lets in
     * @param pairedPooling whether all sessions of one inside address use the same outside address
     * @param perHostPortQuota the most ports one inside address may hold per protocol, 0 for no limit
     * @param icmpOnExhaustion whether a refused packet is answered with an ICMP destination unreachable
     * @param limits what else one inside host may hold and open
     */
    public PoolDefinition(String name, List<Ipv4Range> addresses, int portMin, int portMax, MappingBehavior mapping,
            FilteringBehavior filtering, boolean pairedPooling, int perHostPortQuota, boolean icmpOnExhaustion,
            SubscriberLimits limits) {
        this(name, addresses, portMin, portMax, mapping, filtering, pairedPooling, perHostPortQuota,
                icmpOnExhaustion, limits, PortAllocation.PER_SESSION);
    }

    /**
     * The form of version 1.3, without subscriber limits of its own: the recommended ones,
     * {@link SubscriberLimits#DEFAULT}.
     *
     * @param name the pool's name
     * @param addresses the outside addresses
     * @param portMin the lowest port
     * @param portMax the highest port
     * @param mapping how outside endpoints are reused
     * @param filtering which outside packets a mapping lets in
     * @param pairedPooling whether all sessions of one inside address use the same outside address
     * @param perHostPortQuota the most ports one inside address may hold per protocol, 0 for no limit
     * @param icmpOnExhaustion whether a refused packet is answered with an ICMP destination unreachable
     */
    public PoolDefinition(String name, List<Ipv4Range> addresses, int portMin, int portMax, MappingBehavior mapping,
            FilteringBehavior filtering, boolean pairedPooling, int perHostPortQuota, boolean icmpOnExhaustion) {
        this(name, addresses, portMin, portMax, mapping, filtering, pairedPooling, perHostPortQuota,
                icmpOnExhaustion, SubscriberLimits.DEFAULT, PortAllocation.PER_SESSION);
    }

    /**
     * Returns this pool with another port allocation.
     *
     * @param other the allocation
     * @return the pool
     * @throws IllegalArgumentException if the pool's ports hold no whole block
     * @since 1.5
     */
    public PoolDefinition withAllocation(PortAllocation other) {
        return new PoolDefinition(name, addresses, portMin, portMax, mapping, filtering, pairedPooling,
                perHostPortQuota, icmpOnExhaustion, limits, other);
    }

    /**
     * Returns this pool with other subscriber limits.
     *
     * @param other the limits
     * @return the pool
     */
    public PoolDefinition withLimits(SubscriberLimits other) {
        return new PoolDefinition(name, addresses, portMin, portMax, mapping, filtering, pairedPooling,
                perHostPortQuota, icmpOnExhaustion, other, allocation);
    }

    /**
     * Returns a pool with the recommended settings: ports
     * {@value #DEFAULT_PORT_MIN}..{@value #DEFAULT_PORT_MAX}, {@link MappingBehavior#DEFAULT},
     * {@link FilteringBehavior#DEFAULT}, paired pooling (RFC 4787 REQ-2), a port quota of
     * {@value #DEFAULT_PORT_QUOTA} per host and protocol, the {@link SubscriberLimits#DEFAULT default subscriber
     * limits}, and ICMP on exhaustion so inside hosts fail fast.
     *
     * @param name the pool's name
     * @param addresses the outside addresses
     * @return the pool
     */
    public static PoolDefinition of(String name, List<Ipv4Range> addresses) {
        return new PoolDefinition(name, addresses, DEFAULT_PORT_MIN, DEFAULT_PORT_MAX, MappingBehavior.DEFAULT,
                FilteringBehavior.DEFAULT, true, DEFAULT_PORT_QUOTA, true, SubscriberLimits.DEFAULT,
                PortAllocation.PER_SESSION);
    }

    /** {@return the number of outside addresses, the sum of the ranges' sizes} */
    public long addressCount() {
        return addressCount(addresses);
    }

    private static long addressCount(List<Ipv4Range> addresses) {
        long n = 0;
        for (Ipv4Range r : addresses) {
            n += r.size();
        }
        return n;
    }

    /**
     * Tells whether an address is one of the pool's.
     *
     * @param address the address
     * @return true if a range contains it
     */
    public boolean contains(int address) {
        for (Ipv4Range r : addresses) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
