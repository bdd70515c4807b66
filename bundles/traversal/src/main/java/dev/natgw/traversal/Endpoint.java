package dev.natgw.traversal;

import java.net.URI;
import java.util.Objects;

/**
 * Where a key or a forwarder is reached, as announced in the registry (docs/protocol.md, section 8):
 * {@code tcp://host:port} (the server itself), {@code natgw://host:port} or {@code natgw+tls://host:port} (a
 * forwarder), the last optionally pinned to the forwarder's certificate: {@code natgw+tls://host:port#sha256:HEX}.
 *
 * @param scheme tcp, natgw or natgw+tls
 * @param host the host name or address
 * @param port the TCP port
 * @param pin for natgw+tls, the SHA-256 fingerprint of the forwarder's certificate ({@code "sha256:"} and 64
 *     lowercase hex digits) that a connection must see instead of a certificate authority's word; else null
 */
public record Endpoint(String scheme, String host, int port, String pin) {
    public static final String DIRECT = "tcp";
    public static final String FORWARDER = "natgw";
    public static final String FORWARDER_TLS = "natgw+tls";

    /** Validates. */
    public Endpoint {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (!scheme.equals(DIRECT) && !scheme.equals(FORWARDER) && !scheme.equals(FORWARDER_TLS)) {
            throw new IllegalArgumentException("scheme must be tcp, natgw or natgw+tls, was " + scheme);
        }
        if (host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint needs a host and a port 1..65535: " + host + ":" + port);
        }
        if (pin != null && (!scheme.equals(FORWARDER_TLS) || !pin.matches("sha256:[0-9a-f]{64}"))) {
            throw new IllegalArgumentException("a pin is sha256: and 64 lowercase hex digits, on natgw+tls only: "
                    + pin);
        }
    }

    /** An endpoint without a pin. */
    public Endpoint(String scheme, String host, int port) {
        this(scheme, host, port, null);
    }

    /**
     * Parses a registry value or a command-line forwarder: {@code scheme://host:port[#sha256:HEX]}; without a scheme
     * it is a forwarder ({@code natgw}).
     *
     * @throws IllegalArgumentException quoting the text if it is not one
     */
    public static Endpoint parse(String text) {
        String t = text.strip();
        if (!t.contains("://")) {
            t = FORWARDER + "://" + t;
        }
        try {
            URI uri = new URI(t);
            String host = uri.getHost();
            if (host != null && host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (uri.getScheme() == null || host == null || uri.getPort() < 0 || uri.getRawPath() != null && !uri
                    .getRawPath().isEmpty() || uri.getRawQuery() != null) {
                throw new IllegalArgumentException("not scheme://host:port");
            }
            return new Endpoint(uri.getScheme(), host, uri.getPort(), uri.getRawFragment());
        } catch (Exception e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an endpoint such as natgw://host:port or"
                    + " tcp://host:port: " + e.getMessage(), e);
        }
    }

    /** {@return true for a forwarder, false for the server itself} */
    public boolean forwarder() {
        return !scheme.equals(DIRECT);
    }

    /** {@return true if connections to it speak TLS} */
    public boolean tls() {
        return scheme.equals(FORWARDER_TLS);
    }

    @Override
    public String toString() {
        return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + (pin == null
                ? ""
                : "#" + pin);
    }
}
