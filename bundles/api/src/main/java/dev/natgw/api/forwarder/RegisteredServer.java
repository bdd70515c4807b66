package dev.natgw.api.forwarder;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;

import dev.natgw.api.registry.RegistryKeys;

/**
 * A server registered with the forwarder over a control connection.
 *
 * @param key the key the server proved it owns, valid by {@link RegistryKeys#requireValid}
 * @param controlPeer the remote address of the control connection
 * @param registeredAt when it registered
 * @param lastHeartbeat when its last heartbeat arrived
 * @param pendingClients clients waiting for the server's data connection, at least 0
 * @param activeRelays relays open to this server, at least 0
 */
public record RegisteredServer(String key, InetSocketAddress controlPeer, Instant registeredAt, Instant lastHeartbeat,
        int pendingClients, int activeRelays) {
    /** Validates. */
    public RegisteredServer {
        RegistryKeys.requireValid(key);
        Objects.requireNonNull(controlPeer, "controlPeer");
        Objects.requireNonNull(registeredAt, "registeredAt");
        Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
        Checks.nonNegative("pendingClients", pendingClients);
        Checks.nonNegative("activeRelays", activeRelays);
    }
}
