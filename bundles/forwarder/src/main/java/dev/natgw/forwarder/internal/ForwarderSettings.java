package dev.natgw.forwarder.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A {@link ForwarderConfig} checked: every refusal names the configuration key as written in
 * {@code etc/dev.natgw.forwarder.cfg}. Immutable.
 */
public record ForwarderSettings(InetSocketAddress listen, boolean announce, String announceAddress,
        Duration announceTtl, boolean tls, String keystore, String keystorePassword, String keystoreType,
        Path generatedKeystore, boolean plaintextBeyondLoopback,
        int maxConnections, int maxConnectionsPerSource, int ratePerSource, int maxServers, int maxPendingPerKey,
        int maxRelaysPerKey, Duration handshakeTimeout, Duration heartbeatInterval, Duration idleTimeout,
        Duration dataTimeout, Duration relayIdleTimeout, int relayBuffer, int relaySpliceMax, Duration probeTimeout,
        int maxProbes,
        int maxParkedPerServer, int maxParked, Duration parkedIdleTimeout) {

    /**
     * @throws IllegalArgumentException naming the key at fault
     */
    public static ForwarderSettings of(ForwarderConfig c) {
        String host = trim(c.listen_host());
        InetAddress address;
        try {
            if (host.isEmpty() || !host.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '.'
                    || ch == ':' || ch == '-')) {
                throw new UnknownHostException(host);
            }
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("listen.host must be an IP address or resolvable name, was \"" + host
                    + "\"");
        }
        int port = range("listen.port", c.listen_port(), 0, 65535);
        String announced = trim(c.announce_address());
        if (announced.isEmpty()) {
            if (c.announce() && address.isAnyLocalAddress()) {
                throw new IllegalArgumentException("announce.address must be set when listen.host is " + host
                        + ": clients cannot connect to a wildcard address");
            }
        } else {
            checkHostPort(announced);
        }
        int ttl = range("announce.ttl", c.announce_ttl(), 3, 3600);
        String mode = trim(c.tls()).toLowerCase(Locale.ROOT);
        boolean loopback = address.isLoopbackAddress();
        boolean tls = switch (mode) {
            case "auto" -> c.tls_enabled() || !loopback;
            case "on" -> true;
            case "off" -> c.tls_enabled();
            default -> throw new IllegalArgumentException("tls must be auto, on or off, was \"" + c.tls() + "\"");
        };
        if (!tls && !loopback && !c.allow_plaintext()) {
            throw new IllegalArgumentException("tls is off and listen.host " + host + " is not a loopback address:"
                    + " registrations, tokens and client addresses would cross the network in clear. Set tls = auto"
                    + " (the default) or on, or allow.plaintext = true to serve plain TCP beyond loopback anyway");
        }
        String keystore = trim(c.tls_keystore());
        String type = trim(c.tls_keystore_type()).toUpperCase(Locale.ROOT);
        String generated = trim(c.tls_generated());
        Path generatedPath;
        try {
            generatedPath = generated.isEmpty()
                    ? Path.of(System.getProperty("karaf.data", "data"), "natgw", "forwarder-tls.p12")
                    : Path.of(generated);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("tls.generated is not a path: \"" + generated + "\"");
        }
        if (!type.equals("PKCS12") && !type.equals("JKS")) {
            throw new IllegalArgumentException("tls.keystore.type must be PKCS12 or JKS, was \""
                    + c.tls_keystore_type() + "\"");
        }
        int heartbeat = range("heartbeat.interval", c.heartbeat_interval(), 1, 3600);
        int idle = range("idle.timeout", c.idle_timeout(), 2, 7200);
        if (idle <= heartbeat) {
            throw new IllegalArgumentException("idle.timeout (" + idle + ") must be more than heartbeat.interval ("
                    + heartbeat + ")");
        }
        return new ForwarderSettings(new InetSocketAddress(address, port), c.announce(), announced,
                Duration.ofSeconds(ttl), tls, keystore, c.tls_keystore_password() == null
                        ? ""
                        : c.tls_keystore_password(),
                type, generatedPath, !tls && !loopback, range("max.connections", c.max_connections(), 16, 1_000_000),
                range("max.connections.per.source", c.max_connections_per_source(), 1, 1_000_000),
                range("rate.per.source", c.rate_per_source(), 1, 1_000_000),
                range("max.servers", c.max_servers(), 1, 1_000_000),
                range("max.pending.per.key", c.max_pending_per_key(), 1, 100_000),
                range("max.relays.per.key", c.max_relays_per_key(), 1, 1_000_000),
                Duration.ofSeconds(range("handshake.timeout", c.handshake_timeout(), 1, 300)),
                Duration.ofSeconds(heartbeat), Duration.ofSeconds(idle),
                Duration.ofSeconds(range("data.timeout", c.data_timeout(), 1, 300)),
                Duration.ofSeconds(range("relay.idle.timeout", c.relay_idle_timeout(), 1, 604_800)),
                range("relay.buffer", c.relay_buffer(), 1024, 4 * 1024 * 1024),
                range("relay.splice.max", c.relay_splice_max(), 0, 4096),
                Duration.ofSeconds(range("probe.timeout", c.probe_timeout(), 1, 60)),
                range("max.probes", c.max_probes(), 1, 10_000),
                range("max.parked.per.server", c.max_parked_per_server(), 0, 1024),
                range("max.parked", c.max_parked(), 0, 1_000_000),
                Duration.ofSeconds(range("parked.idle.timeout", c.parked_idle_timeout(), 1, 3600)));
    }

    /**
     * {@return the value this forwarder announces: natgw://host:port or natgw+tls://host:port#sha256:HEX (the
     * certificate's fingerprint), from announce.address or else the address it is bound to}
     */
    public String announceValue(InetSocketAddress bound, String fingerprint) {
        String where = announceAddress.isEmpty()
                ? hostPort(bound.getAddress().getHostAddress(), bound.getPort())
                : announceAddress;
        // the certificate's fingerprint lets servers and clients pin it without a certificate authority
        return tls ? "natgw+tls://" + where + (fingerprint == null ? "" : "#" + fingerprint) : "natgw://" + where;
    }

    private static String hostPort(String host, int port) {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static void checkHostPort(String hp) {
        int colon = hp.lastIndexOf(':');
        boolean ok = colon > 0;
        if (ok) {
            String h = hp.substring(0, colon);
            try {
                int p = Integer.parseInt(hp.substring(colon + 1));
                ok = p >= 1 && p <= 65535 && !h.isBlank() && !h.contains("/") && !h.contains(" ");
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("announce.address must be host:port, was \"" + hp + "\"");
        }
    }

    private static String trim(String s) {
        return s == null ? "" : s.strip();
    }

    private static int range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", was " + value);
        }
        return value;
    }
}
