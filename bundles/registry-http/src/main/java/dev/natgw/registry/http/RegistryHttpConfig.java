package dev.natgw.registry.http;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the registry's HTTP face (PID {@code dev.natgw.registry.http}): the bounds that keep one caller
 * from slowing or blocking the others. In the configuration file each attribute's name has its underscores as dots:
 * {@code rate.per.source}.
 *
 * <p>
 * A source is the caller's address cut to {@code prefix.ipv4} or {@code prefix.ipv6} bits; every per-source bound
 * applies again, {@code wide.factor} times larger, to the wider prefix ({@code wide.prefix.ipv4},
 * {@code wide.prefix.ipv6}), so that a whole IPv6 /48 or IPv4 /24 cannot pass for many sources.
 */
@ObjectClassDefinition(name = "natgw registry HTTP face", description = "Bounds of the registry's HTTP face"
        + " (/natgw/registry/v1): request bodies, rates per source prefix and per key, keys per source prefix,"
        + " and the state kept to enforce them. Requests over a rate or a cap get 429 before any signature is"
        + " checked.")
public @interface RegistryHttpConfig {

    @AttributeDefinition(name = "Largest body (bytes)", description = "The largest request body; a larger one is"
            + " answered 413 and the connection closed, without reading the rest. 256..1048576.")
    int body_max_bytes() default 16384;

    @AttributeDefinition(name = "Body deadline (s)", description = "Seconds a request body has to arrive in full,"
            + " counted from the end of the headers; a body still incomplete then (a slow sender) is answered 408"
            + " and the connection closed. 1..300.")
    int body_timeout() default 10;

    @AttributeDefinition(name = "Bodies per source", description = "Request bodies one source may be sending at"
            + " once; one more is answered 429 before it is read. 1..10000.")
    int bodies_per_source() default 8;

    @AttributeDefinition(name = "Bodies in all", description = "Request bodies being received at once from all"
            + " sources together; one more is answered 503 before it is read. 1..100000.")
    int bodies_max() default 1024;

    @AttributeDefinition(name = "Requests per source per second", description = "Requests (lookups and signed"
            + " changes) one source may make per second, in bursts of as many; more are answered 429 with"
            + " Retry-After before anything else is done. 1..100000.")
    int rate_per_source() default 50;

    @AttributeDefinition(name = "Signed changes per key per second", description = "Announcements and withdrawals"
            + " one key may make per second, in bursts of as many; only requests whose signature verified count,"
            + " so nobody can spend another key's budget. More are answered 429, before their signature is"
            + " checked. 1..10000.")
    int rate_per_key() default 5;

    @AttributeDefinition(name = "Keys per source", description = "Keys with live announcements that one source"
            + " may hold (a key counts until its last announcement from the source expires or is withdrawn); an"
            + " announcement of one more key is answered 429 before its signature is checked. 1..100000.")
    int keys_per_source() default 16;

    @AttributeDefinition(name = "Values per key", description = "Values one key may hold at once; announcing one"
            + " more is answered 409. 1..1000.")
    int values_per_key() default 8;

    @AttributeDefinition(name = "IPv4 source prefix", description = "Leading bits of an IPv4 address that make a"
            + " source: 32 is one address. 8..32.")
    int prefix_ipv4() default 32;

    @AttributeDefinition(name = "IPv6 source prefix", description = "Leading bits of an IPv6 address that make a"
            + " source: 64 is one subnet, which a single host usually holds whole. 16..128.")
    int prefix_ipv6() default 64;

    @AttributeDefinition(name = "IPv4 wide prefix", description = "Leading bits of an IPv4 address whose sources"
            + " share the wide bounds (wide.factor times each per-source bound). 8..32, at most prefix.ipv4.")
    int wide_prefix_ipv4() default 24;

    @AttributeDefinition(name = "IPv6 wide prefix", description = "Leading bits of an IPv6 address whose sources"
            + " share the wide bounds (wide.factor times each per-source bound). 16..128, at most prefix.ipv6.")
    int wide_prefix_ipv6() default 48;

    @AttributeDefinition(name = "Wide factor", description = "How many times each per-source bound a wide prefix"
            + " gets in all (its requests, bodies and keys together). 1..1000.")
    int wide_factor() default 8;

    @AttributeDefinition(name = "Sources tracked", description = "The most source and wide prefixes whose counts"
            + " are kept; when full, the least recently seen idle ones are forgotten, and if none is idle a new"
            + " source is answered 503. 16..10000000.")
    int sources_max() default 20000;

    @AttributeDefinition(name = "Keys tracked", description = "The most keys whose recent nonces and write rate are"
            + " kept (a key is forgotten 60 s after its last signed change); when full and none is idle, a key not"
            + " tracked yet is answered 503. 16..10000000.")
    int keys_max() default 50000;

    @AttributeDefinition(name = "Allow plain HTTP beyond loopback", description = "Serve requests that reach the"
            + " face over plain HTTP on an address that is not loopback, where anyone on the path reads and changes"
            + " lookups and announcements. When false (the default) they are answered 403 and the face logs it once:"
            + " beyond loopback, serve it over HTTPS.")
    boolean allow_plaintext() default false;
}
