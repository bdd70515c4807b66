package dev.natgw.api.forwarder;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;

import dev.natgw.api.registry.RegistryKeys;

/**
 * A client spliced to a server's data connection.
 *
 * @param id the relay's id, unique for the life of the forwarder
 * @param key the server's key
 * @param client the client's remote address
 * @param server the remote address of the server's data connection
 * @param started when the splice began
 * @param bytesClientToServer bytes relayed from client to server, at least 0
 * @param bytesServerToClient bytes relayed from server to client, at least 0
 */
public record RelaySession(long id, String key, InetSocketAddress client, InetSocketAddress server, Instant started,
        long bytesClientToServer, long bytesServerToClient) {
    /** Validates. */
    public RelaySession {
        RegistryKeys.requireValid(key);
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(started, "started");
        Checks.nonNegative("bytesClientToServer", bytesClientToServer);
        Checks.nonNegative("bytesServerToClient", bytesServerToClient);
    }
}
