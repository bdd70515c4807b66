package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.ForwarderCounters;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's counters, shared by its parts (admission, control sessions, rendezvous, splicing, probe); each part
 * adds to its own. Monotonic for the engine's life. Thread-safe.
 */
final class EngineCounters {
    final LongAdder registrations = new LongAdder();
    final LongAdder registrationsRejected = new LongAdder();
    final LongAdder clientsAccepted = new LongAdder();
    final LongAdder clientsRejected = new LongAdder();
    final LongAdder relaysOpened = new LongAdder();
    final LongAdder relaysClosed = new LongAdder();
    final LongAdder bytesRelayed = new LongAdder();
    final LongAdder probesMade = new LongAdder();
    final LongAdder heartbeatsMissed = new LongAdder();
    /** Connections refused at accept: past max.connections, or a source's count or rate. */
    final LongAdder refused = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder timeouts = new LongAdder();

    ForwarderCounters snapshot() {
        return new ForwarderCounters(registrations.sum(), registrationsRejected.sum(), clientsAccepted.sum(),
                clientsRejected.sum(), relaysOpened.sum(), relaysClosed.sum(), bytesRelayed.sum(), probesMade.sum(),
                heartbeatsMissed.sum());
    }
}
