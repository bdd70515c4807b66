package dev.natgw.api.forwarder;

/**
 * The forwarder's counters since it started; all are non-negative.
 *
 * @param registrations servers registered
 * @param registrationsRejected registrations refused (key not proven, already registered, limit
 *     reached)
 * @param clientsAccepted clients accepted for a registered key
 * @param clientsRejected clients refused (unknown key, server busy, timeout)
 * @param relaysOpened splices begun
 * @param relaysClosed splices ended
 * @param bytesRelayed bytes relayed, both directions
 * @param probes reachability probes made for servers
 * @param heartbeatsMissed control connections dropped for missed heartbeats
 */
public record ForwarderCounters(long registrations, long registrationsRejected, long clientsAccepted,
        long clientsRejected, long relaysOpened, long relaysClosed, long bytesRelayed, long probes,
        long heartbeatsMissed) {
    /** Validates. */
    public ForwarderCounters {
        Checks.nonNegative("registrations", registrations);
        Checks.nonNegative("registrationsRejected", registrationsRejected);
        Checks.nonNegative("clientsAccepted", clientsAccepted);
        Checks.nonNegative("clientsRejected", clientsRejected);
        Checks.nonNegative("relaysOpened", relaysOpened);
        Checks.nonNegative("relaysClosed", relaysClosed);
        Checks.nonNegative("bytesRelayed", bytesRelayed);
        Checks.nonNegative("probes", probes);
        Checks.nonNegative("heartbeatsMissed", heartbeatsMissed);
    }
}
