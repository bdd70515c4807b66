package dev.natgw.traversal;

import java.net.Socket;

/**
 * A connection whose far end proved its identity in the end-to-end handshake (docs/protocol.md, section 11): an
 * ordinary socket (TLS 1.3 underneath, relayed or direct) and who is at the other end.
 *
 * @param socket the connected socket; its bytes are encrypted and authenticated end to end, and its input ends only
 *     where the peer ended it: a stream cut short on the way (its transport closed without the peer's close_notify)
 *     reads a {@link TruncatedStreamException}, not an end of stream
 * @param peerKey the key the other end proved: always the server's key on the client's side; on the server's side,
 *     the client's key, or null for a client that showed no identity
 * @param clientAddress on the server's side, the client's {@code ip:port} (see {@link ClientInfo#address()}); on the
 *     client's side, null
 * @param via where the connection went: the forwarder or the server's own address on the client's side; null on the
 *     server's side
 */
public record PeerConnection(Socket socket, String peerKey, String clientAddress, Endpoint via) {
}
