package dev.natgw.nat.cli;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.AllocationMode;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.nat.internal.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * {@code nat:pool-add}: adds an address pool and keeps it as the configuration {@code dev.natgw.nat.pool~NAME}
 * (the file {@code etc/dev.natgw.nat.pool-NAME.cfg}), so it survives a restart.
 */
@Command(scope = "nat", name = "pool-add", description = "Adds a NAT address pool with the RFC-recommended"
        + " behaviours unless told otherwise, and keeps it in etc/ (dev.natgw.nat.pool~NAME), so it survives a"
        + " restart.")
@Service
public class PoolAddCommand implements Action {

    @Reference
    NatAdminService natService;

    @Argument(index = 0, name = "NAME", description = "The pool's name: 1..32 characters of a-z, 0-9 and '-'", required = true)
    String name;

    @Argument(index = 1, name = "ADDRESS", description = "Outside addresses: a.b.c.d, a.b.c.d-e.f.g.h or"
            + " a.b.c.d/n, one or more", required = true, multiValued = true)
    List<String> addresses;

    @Option(name = "--ports", description = "The ports handed out, MIN-MAX")
    String ports = PoolDefinition.DEFAULT_PORT_MIN + "-" + PoolDefinition.DEFAULT_PORT_MAX;

    @Option(name = "--mapping", description = "endpoint-independent (RFC 4787 REQ-1, the default) or"
            + " address-and-port-dependent")
    @Completion(value = StringsCompleter.class, values = {"endpoint-independent", "address-and-port-dependent"})
    String mapping = "endpoint-independent";

    @Option(name = "--filtering", description = "endpoint-independent, address-dependent (the default) or"
            + " address-and-port-dependent")
    @Completion(value = StringsCompleter.class, values = {"endpoint-independent", "address-dependent",
            "address-and-port-dependent"})
    String filtering = "address-dependent";

    @Option(name = "--no-paired-pooling", description = "Let one inside host's sessions use different outside"
            + " addresses (RFC 4787 REQ-2 asks for paired pooling)")
    boolean noPairedPooling;

    @Option(name = "--quota", description = "The most ports one inside host may hold per protocol, 0 for no limit")
    int quota = PoolDefinition.DEFAULT_PORT_QUOTA;

    @Option(name = "--sessions-per-host", description = "The most sessions one inside host may hold, 0 for no limit")
    int sessionsPerHost = SubscriberLimits.DEFAULT_SESSIONS_PER_HOST;

    @Option(name = "--mappings-per-second", description = "New mappings one inside host may make a second (a token"
            + " bucket), 0 for no limit")
    int mappingsPerSecond = SubscriberLimits.DEFAULT_MAPPINGS_PER_SECOND;

    @Option(name = "--mappings-burst", description = "New mappings a host that made none for a while may make at once")
    int mappingsBurst = SubscriberLimits.DEFAULT_MAPPING_BURST;

    @Option(name = "--inbound-per-mapping", description = "The most sessions a mapping may hold for an outside packet"
            + " to open one more, 0 for no limit")
    int inboundPerMapping = SubscriberLimits.DEFAULT_INBOUND_SESSIONS_PER_MAPPING;

    @Option(name = "--no-icmp", description = "Drop packets refused for exhaustion silently instead of answering"
            + " with ICMP destination unreachable")
    boolean noIcmp;

    @Option(name = "--allocation", description = "per-session (the default), port-blocks (a host gets blocks of"
            + " --block-size ports, one log record per block) or deterministic (RFC 7422: each address of"
            + " --inside-prefix owns one block, nothing logged)")
    @Completion(value = StringsCompleter.class, values = {"per-session", "port-blocks", "deterministic"})
    String allocation = "per-session";

    @Option(name = "--block-size", description = "The ports of a block, a power of two 16..4096")
    int blockSize = PortAllocation.DEFAULT_BLOCK_SIZE;

    @Option(name = "--blocks-per-host", description = "The most blocks one inside host may hold (port-blocks)")
    int blocksPerHost = PortAllocation.DEFAULT_BLOCKS_PER_HOST;

    @Option(name = "--inside-prefix", description = "The inside addresses a deterministic pool maps, a.b.c.d/n")
    String insidePrefix;

    @Override
    public Object execute() {
        List<Ipv4Range> ranges = new ArrayList<>(addresses.size());
        for (String a : addresses) {
            try {
                ranges.add(Values.range(a));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ADDRESS \"" + a + "\" is not an IPv4 range (a.b.c.d,"
                        + " a.b.c.d-e.f.g.h or a.b.c.d/n): " + e.getMessage());
            }
        }
        int[] portRange;
        try {
            portRange = Values.portRange(ports);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ports " + e.getMessage());
        }
        MappingBehavior m = Args.mapping("--mapping", mapping);
        FilteringBehavior f = Args.filtering("--filtering", filtering);
        if (quota < 0) {
            throw new IllegalArgumentException("--quota must be >= 0, was " + quota);
        }
        SubscriberLimits limits;
        try {
            limits = new SubscriberLimits(sessionsPerHost, mappingsPerSecond, mappingsBurst, inboundPerMapping);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--sessions-per-host, --mappings-per-second, --mappings-burst and"
                    + " --inbound-per-mapping: " + e.getMessage());
        }
        PortAllocation alloc;
        try {
            AllocationMode mode = Values.enumValue(AllocationMode.class, allocation);
            alloc = new PortAllocation(mode, blockSize, blocksPerHost,
                    insidePrefix == null ? null : Values.range(insidePrefix));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("--allocation, --block-size, --blocks-per-host and --inside-prefix: "
                    + e.getMessage());
        }
        PoolDefinition pool;
        try {
            pool = new PoolDefinition(name, ranges, portRange[0], portRange[1], m, f, !noPairedPooling, quota,
                    !noIcmp, limits, alloc);
        } catch (IllegalArgumentException e) {
            // the record names its own fields (name, addresses); the user knows them as NAME and ADDRESS
            throw new IllegalArgumentException("pool \"" + name + "\": " + e.getMessage());
        }
        natService.savePool(pool);
        System.out.println("Pool " + pool.name() + " added: "
                + pool.addresses().stream().map(Object::toString).collect(Collectors.joining(",")) + " ports "
                + pool.portMin() + "-" + pool.portMax() + ", " + PoolListCommand.abbreviation(m) + "/"
                + PoolListCommand.abbreviation(f) + (alloc.inBlocks()
                        ? ", " + alloc.mode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " of "
                                + alloc.blockSize()
                        : ""));
        return null;
    }
}
