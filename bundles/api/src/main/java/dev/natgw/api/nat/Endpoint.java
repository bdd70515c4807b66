package dev.natgw.api.nat;

/**
 * An IPv4 address and port. For ICMP the port is the echo identifier.
 *
 * @param address the address ({@link Ipv4} explains the {@code int} form)
 * @param port the port or identifier, 0..65535
 */
public record Endpoint(int address, int port) {
    /** Validates. */
    public Endpoint {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
    }

    /**
     * Parses {@code "198.18.0.2:1234"}: an address as {@link Ipv4#parse} reads it, a colon, and a
     * decimal port 0..65535 without leading zeros.
     *
     * @param text the endpoint
     * @return the endpoint
     * @throws IllegalArgumentException quoting the text if it is not such an endpoint
     */
    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("endpoint \"" + text + "\" must be address:port");
        }
        String portText = text.substring(colon + 1);
        if (!portText.matches("0|[1-9][0-9]{0,4}") || Integer.parseInt(portText) > 65535) {
            throw new IllegalArgumentException("port of \"" + text + "\" must be 0..65535");
        }
        return new Endpoint(Ipv4.parse(text.substring(0, colon)), Integer.parseInt(portText));
    }

    /** {@return {@code "a.b.c.d:port"}, which {@link #parse} reads back} */
    @Override
    public String toString() {
        return Ipv4.format(address) + ":" + port;
    }
}
