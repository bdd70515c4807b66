package dev.natgw.nat.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One address pool, a factory configuration of PID {@code dev.natgw.nat.pool}: one instance per pool,
 * such as {@code dev.natgw.nat.pool~public.cfg}. {@link PoolConfigs#toDefinition} checks it.
 */
@ObjectClassDefinition(name = "natgw NAT address pool", description = "One pool of outside addresses and ports the"
        + " translator maps inside hosts to, and how (RFC 4787, RFC 5382). One configuration per pool.")
public @interface PoolConfig {

    @AttributeDefinition(name = "Name", description = "The pool's name, 1..32 characters of a-z, 0-9 and '-'. Empty"
            + " means the configuration's factory name, the part after '~' (public in dev.natgw.nat.pool~public).", required = false)
    String name() default "";

    @AttributeDefinition(name = "Addresses", description = "The outside addresses: ranges 198.19.0.10-198.19.0.20,"
            + " single addresses 198.19.0.1 or CIDR blocks 198.19.0.0/28, separated by commas in a .cfg file, none"
            + " overlapping another. Empty by default, and a pool needs at least one.")
    String[] addresses() default {};

    @AttributeDefinition(name = "Ports", description = "The ports (and ICMP identifiers) handed out, MIN-MAX within"
            + " 1..65535. Ports below 1025 are best left to the appliance's own services.")
    String ports() default "1025-65535";

    @AttributeDefinition(name = "Mapping behaviour", description = "ENDPOINT_INDEPENDENT keeps one outside endpoint"
            + " per inside endpoint for every remote (RFC 4787 REQ-1, needed for NAT traversal);"
            + " ADDRESS_AND_PORT_DEPENDENT takes a new one per remote.", options = {
                    @Option(label = "Endpoint-independent", value = "ENDPOINT_INDEPENDENT"),
                    @Option(label = "Address and port-dependent", value = "ADDRESS_AND_PORT_DEPENDENT")})
    String mapping() default "ENDPOINT_INDEPENDENT";

    @AttributeDefinition(name = "Filtering behaviour", description = "Which remotes may send in through a mapping:"
            + " any (ENDPOINT_INDEPENDENT), those the inside host sent to by address (ADDRESS_DEPENDENT), or by"
            + " address and port (ADDRESS_AND_PORT_DEPENDENT).", options = {
                    @Option(label = "Endpoint-independent", value = "ENDPOINT_INDEPENDENT"),
                    @Option(label = "Address-dependent", value = "ADDRESS_DEPENDENT"),
                    @Option(label = "Address and port-dependent", value = "ADDRESS_AND_PORT_DEPENDENT")})
    String filtering() default "ADDRESS_DEPENDENT";

    @AttributeDefinition(name = "Paired pooling", description = "Give all sessions of one inside host the same"
            + " outside address (RFC 4787 REQ-2).")
    boolean paired_pooling() default true;

    @AttributeDefinition(name = "Per-host port quota", description = "The most ports one inside host may hold per"
            + " protocol (RFC 6888 REQ-4); a new mapping beyond it is refused and counted as quota. 0 for no limit.", min = "0")
    int per_host_quota() default 8192;

    @AttributeDefinition(name = "Sessions per host", description = "The most sessions one inside host may hold,"
            + " opened from inside or, on its mappings, from outside (RFC 6888 REQ-5); a new session beyond it is"
            + " refused and counted as session-limit. 0 for no limit.", min = "0")
    int sessions_per_host() default 16384;

    @AttributeDefinition(name = "New mappings per second", description = "The rate at which one inside host may make"
            + " new mappings, as a token bucket refilled at this rate and new.mappings.burst deep; a mapping beyond"
            + " it is refused and counted as mapping-rate, so a host that scans or floods cannot churn the pool's"
            + " ports. 0 for no limit.", min = "0", max = "1000000000")
    int new_mappings_per_second() default 2000;

    @AttributeDefinition(name = "New mappings burst", description = "How many new mappings a host that made none for"
            + " a while may make at once: the depth of the bucket new.mappings.per.second refills.", min = "1")
    int new_mappings_burst() default 4000;

    @AttributeDefinition(name = "Inbound sessions per mapping", description = "The most sessions a mapping may hold"
            + " for a packet from outside to open one more on it, where the filtering behaviour lets it in at all;"
            + " beyond it the packet is dropped and counted as inbound-limit, so spoofed outside traffic cannot fill"
            + " the session table. Sessions opened from inside are not held back. 0 for no limit.", min = "0")
    int inbound_sessions_per_mapping() default 256;

    @AttributeDefinition(name = "ICMP on exhaustion", description = "Answer a packet refused because the pool is"
            + " exhausted or the host reached one of its limits (ports, sessions, new mappings) with an ICMP"
            + " destination unreachable, within icmp.answers.per.second, so the host fails fast, instead of"
            + " dropping it silently.")
    boolean icmp_on_exhaustion() default true;

    @AttributeDefinition(name = "Allocation", description = "How ports are handed out. PER_SESSION: a port per"
            + " mapping, one log record per mapping created and deleted. PORT_BLOCKS: an inside host gets blocks of"
            + " block.size ports, up to blocks.per.host, on one address, and one log record per block allocated and"
            + " released (RFC 8158 natEvent 14 and 15), none per mapping; a block returns, after the hold-down, when"
            + " its last mapping ends. DETERMINISTIC: each address of inside.prefix owns one fixed block (RFC 7422)"
            + " and nothing is logged; nat:det-lookup answers who had an outside address and port.")
    String allocation() default "PER_SESSION";

    @AttributeDefinition(name = "Block size", description = "The ports of one block in PORT_BLOCKS and DETERMINISTIC"
            + " mode: a power of two, 16..4096. Blocks are aligned to their size; ports outside whole blocks of the"
            + " range are not used.", min = "16", max = "4096")
    int block_size() default 256;

    @AttributeDefinition(name = "Blocks per host", description = "The most blocks one inside host may hold at once in"
            + " PORT_BLOCKS mode, 1..1024; a new mapping beyond them is refused and counted as quota.", min = "1", max = "1024")
    int blocks_per_host() default 4;

    @AttributeDefinition(name = "Inside prefix", description = "The inside addresses of a DETERMINISTIC pool,"
            + " a.b.c.d/n or a range, at most 1048576; each gets one block. Empty in the other modes.", required = false)
    String inside_prefix() default "";
}
