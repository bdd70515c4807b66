package dev.natgw.traversal;

/**
 * A client as the server sees it once the end-to-end handshake is done.
 *
 * @param address the client's {@code ip:port}: as the forwarder saw it for a relayed client, the socket's peer for a
 *     direct one
 * @param key the client's key, proven in the handshake, or null for a client that showed no identity
 */
public record ClientInfo(String address, String key) {
}
