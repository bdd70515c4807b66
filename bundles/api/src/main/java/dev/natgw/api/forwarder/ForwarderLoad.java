package dev.natgw.api.forwarder;

/**
 * What the forwarder holds now, and what it refused, next to the bounds it enforces.
 *
 * @param connections connections open now (control, client, data, probe and not yet identified), at least 0
 * @param maxConnections the bound on connections
 * @param servers servers registered now, at least 0
 * @param maxServers the bound on registered servers
 * @param pendingClients clients waiting for a server's data connection now, at least 0
 * @param relays relays open now, at least 0
 * @param connectionsRefused connections closed at accept: a bound or the rate limit of their source
 * @param protocolErrors connections closed for a broken frame or an unexpected message
 * @param timeouts connections closed because a deadline passed (handshake, data connection, idle)
 */
public record ForwarderLoad(int connections, int maxConnections, int servers, int maxServers, int pendingClients,
        int relays, long connectionsRefused, long protocolErrors, long timeouts) {
    /** Validates. */
    public ForwarderLoad {
        Checks.nonNegative("connections", connections);
        Checks.nonNegative("maxConnections", maxConnections);
        Checks.nonNegative("servers", servers);
        Checks.nonNegative("maxServers", maxServers);
        Checks.nonNegative("pendingClients", pendingClients);
        Checks.nonNegative("relays", relays);
        Checks.nonNegative("connectionsRefused", connectionsRefused);
        Checks.nonNegative("protocolErrors", protocolErrors);
        Checks.nonNegative("timeouts", timeouts);
    }
}
