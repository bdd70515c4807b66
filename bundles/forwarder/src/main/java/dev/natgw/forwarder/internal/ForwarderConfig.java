package dev.natgw.forwarder.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Configuration of the forwarder (PID {@code dev.natgw.forwarder}). In the configuration file each attribute's name
 * has its underscores as dots: {@code listen.port}.
 */
@ObjectClassDefinition(name = "natgw forwarder", description = "The relay for servers that cannot accept inbound"
        + " connections: where it listens, how it announces itself, and the bounds it enforces (docs/protocol.md).")
public @interface ForwarderConfig {

    @AttributeDefinition(name = "Listen address", description = "The IP address the forwarder listens on;"
            + " 0.0.0.0 for all. Loopback by default: set the appliance's outside address to serve the world.")
    String listen_host() default "127.0.0.1";

    @AttributeDefinition(name = "Listen port", description = "The TCP port, 1..65535 (0: any free port, for tests).")
    int listen_port() default 7000;

    @AttributeDefinition(name = "Announce", description = "Announce this forwarder in the registry under"
            + " natgw/forwarders, so servers can find it.")
    boolean announce() default true;

    @AttributeDefinition(name = "Announced address", description = "host:port servers and clients reach this"
            + " forwarder at; empty for the listen address (which must then not be 0.0.0.0).")
    String announce_address() default "";

    @AttributeDefinition(name = "Announcement TTL (s)", description = "Seconds the announcement lives; it is renewed"
            + " every third of it. 3..3600.")
    int announce_ttl() default 30;

    @AttributeDefinition(name = "TLS", description = "auto: speak TLS (JSSE) on every connection whenever listen.host"
            + " is not a loopback address, plain TCP on loopback; on: always TLS; off: plain TCP, refused beyond"
            + " loopback unless allow.plaintext. The key is tls.keystore's, or one generated at the first start.", options = {
                    @Option(label = "auto", value = "auto"), @Option(label = "on", value = "on"),
                    @Option(label = "off", value = "off")})
    String tls() default "auto";

    @AttributeDefinition(name = "TLS (old switch)", description = "Deprecated: true is tls = on; false leaves tls"
            + " to decide.")
    boolean tls_enabled() default false;

    @AttributeDefinition(name = "Allow plaintext beyond loopback", description = "With tls = off, serve plain TCP"
            + " on an address that is not loopback, where anyone on the path reads registrations, tokens and client"
            + " addresses; logged as a warning at every start. When false (the default) such a bind is refused.")
    boolean allow_plaintext() default false;

    @AttributeDefinition(name = "TLS key store", description = "Path of the key store holding the forwarder's key"
            + " and certificate; empty to use the one generated at the first start (tls.generated).")
    String tls_keystore() default "";

    @AttributeDefinition(name = "Generated TLS key store", description = "Where the forwarder keeps the key and"
            + " self-signed certificate it generates at its first start when TLS is on and tls.keystore is empty"
            + " (owner-only permissions, reused after restarts); empty for ${karaf.data}/natgw/forwarder-tls.p12.")
    String tls_generated() default "";

    @AttributeDefinition(name = "TLS key store password", description = "Password of the key store and its key.", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String tls_keystore_password() default "";

    @AttributeDefinition(name = "TLS key store type", description = "PKCS12 or JKS.")
    String tls_keystore_type() default "PKCS12";

    @AttributeDefinition(name = "Most connections", description = "Connections open at once, all kinds; more are"
            + " closed at accept. 16..1000000.")
    int max_connections() default 20000;

    @AttributeDefinition(name = "Most connections per source", description = "Connections open at once from one"
            + " source: one IPv4 address (/32) or one IPv6 /64. 1..1000000.")
    int max_connections_per_source() default 512;

    @AttributeDefinition(name = "New connections per source per second", description = "Rate of new connections one"
            + " source (an IPv4 address or an IPv6 /64) may open (a token bucket holding one second's worth)."
            + " 1..1000000.")
    int rate_per_source() default 200;

    @AttributeDefinition(name = "Most connections per network", description = "Connections open at once from one"
            + " network: an IPv4 /24 or an IPv6 /48. 1..1000000.")
    int max_connections_per_network() default 2048;

    @AttributeDefinition(name = "New connections per network per second", description = "Rate of new connections"
            + " one network (an IPv4 /24 or an IPv6 /48) may open (a token bucket holding one second's worth)."
            + " 1..1000000.")
    int rate_per_network() default 800;

    @AttributeDefinition(name = "Open admission", description = "Let any key with a valid proof register: an open"
            + " relay for anyone who reaches the port, logged as a warning at every start. When false (the default)"
            + " a server registers only with an allow-listed key (fwd:allow) or a tenant credential (fwd:tenant-add).")
    boolean admission_open() default false;

    @AttributeDefinition(name = "Credentials file", description = "Where the tenants' public keys and quotas and the"
            + " allow-listed server keys are kept (no secret is stored); empty for"
            + " ${karaf.data}/natgw/forwarder-credentials.properties.")
    String credentials_file() default "";

    @AttributeDefinition(name = "Most servers per source", description = "Servers registered at once from one"
            + " source (an IPv4 address or an IPv6 /64). 1..1000000.")
    int max_servers_per_source() default 1000;

    @AttributeDefinition(name = "Most servers per network", description = "Servers registered at once from one"
            + " network (an IPv4 /24 or an IPv6 /48). 1..1000000.")
    int max_servers_per_network() default 4000;

    @AttributeDefinition(name = "Most relays per client source", description = "Clients waiting or relayed at once"
            + " from one source (an IPv4 address or an IPv6 /64), all keys together. 1..1000000.")
    int max_relays_per_source() default 512;

    @AttributeDefinition(name = "Most relays per client network", description = "Clients waiting or relayed at once"
            + " from one network (an IPv4 /24 or an IPv6 /48), all keys together. 1..1000000.")
    int max_relays_per_network() default 2048;

    @AttributeDefinition(name = "Renewal window (s)", description = "Seconds the place of a server that went away is"
            + " kept for its key when max.servers is reached: a renewing server goes before new ones. 0..86400.")
    int renewal_window() default 120;

    @AttributeDefinition(name = "Most servers", description = "Servers registered at once. 1..1000000.")
    int max_servers() default 10000;

    @AttributeDefinition(name = "Most pending clients per key", description = "Clients of one key waiting for its"
            + " server's data connection at once. 1..100000.")
    int max_pending_per_key() default 64;

    @AttributeDefinition(name = "Most relays per key", description = "Relays open at once to one key's server."
            + " 1..1000000.")
    int max_relays_per_key() default 1024;

    @AttributeDefinition(name = "Handshake timeout (s)", description = "Seconds a new connection has to send its"
            + " whole opening frame, and a server to answer the challenge. 1..300.")
    int handshake_timeout() default 10;

    @AttributeDefinition(name = "Heartbeat interval (s)", description = "Seconds between a server's heartbeats,"
            + " told to it at registration. 1..3600.")
    int heartbeat_interval() default 10;

    @AttributeDefinition(name = "Control idle timeout (s)", description = "Seconds without any frame after which a"
            + " control connection is closed and its key unregistered; more than the heartbeat interval. 2..7200.")
    int idle_timeout() default 30;

    @AttributeDefinition(name = "Data connection timeout (s)", description = "Seconds a client waits for its"
            + " server's data connection. 1..300.")
    int data_timeout() default 10;

    @AttributeDefinition(name = "Most parked connections per server", description = "Data connections one server"
            + " may keep parked, ready for its next clients (docs/protocol.md, section 5a); one more is refused with"
            + " ERROR LIMIT. 0 (no parking) ..1024.")
    int max_parked_per_server() default 8;

    @AttributeDefinition(name = "Most parked connections", description = "Parked data connections of all servers"
            + " together; one more is refused with ERROR LIMIT. 0..1000000.")
    int max_parked() default 4096;

    @AttributeDefinition(name = "Parked idle timeout (s)", description = "Seconds a parked data connection waits for"
            + " a client before it is closed (its server opens another). 1..3600.")
    int parked_idle_timeout() default 60;

    @AttributeDefinition(name = "Relay idle timeout (s)", description = "Seconds a relay may move no byte in either"
            + " direction before it is closed. 1..604800.")
    int relay_idle_timeout() default 3600;

    @AttributeDefinition(name = "Relay buffer (bytes)", description = "Largest buffer per direction of a relay: a"
            + " direction starts with 4 KiB and takes this size while it moves full buffers. 1024..4194304.")
    int relay_buffer() default 65536;

    @AttributeDefinition(name = "Spliced relay directions", description = "Most relay directions, of plain TCP"
            + " relays, that move bulk data socket to socket through a kernel pipe with splice(2) at once (Linux; each"
            + " holds a pipe of relay.buffer bytes and a platform thread while it moves data, and goes back to copying"
            + " after a second idle). Others copy through the relay's buffers. 0 (the default) turns splicing off:"
            + " it halves the forwarder's CPU per byte, but receivers on the same host (loopback, veth) pay more than"
            + " that back. 0..4096.")
    int relay_splice_max() default 0;

    @AttributeDefinition(name = "Probe timeout (s)", description = "Seconds a reachability probe may take to connect"
            + " back. 1..60.")
    int probe_timeout() default 5;

    @AttributeDefinition(name = "Most concurrent probes", description = "Reachability probes running at once."
            + " 1..10000.")
    int max_probes() default 64;
}
