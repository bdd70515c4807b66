package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.RelaySession;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A client spliced to a server's data connection, with its byte counts. */
final class Relay {
    final long id;
    final String key;
    final Conn client;
    final Conn data;
    final Instant started;
    final AtomicLong clientToServer = new AtomicLong();
    final AtomicLong serverToClient = new AtomicLong();

    Relay(long id, String key, Conn client, Conn data, Instant started) {
        this.id = id;
        this.key = key;
        this.client = client;
        this.data = data;
        this.started = started;
    }

    RelaySession snapshot() {
        return new RelaySession(id, key, client.remote, data.remote, started, clientToServer.get(),
                serverToClient.get());
    }
}
