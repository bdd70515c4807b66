package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Servers' control connections (docs/protocol.md, section 4): HELLO, a CHALLENGE with a fresh nonce, a REGISTER
 * signed with the key's Ed25519 private key, then heartbeats until the connection ends. At most
 * {@code max.servers} keys are registered at once; a key registering again replaces its older session, which is
 * told REPLACED. When a session ends its waiting clients are failed at once rather than left to time out.
 *
 * <p>
 * This class is the only writer of the registered servers' map, which {@link Rendezvous} reads to find a client's
 * server. Thread-safe: one virtual thread per control connection.
 */
final class ControlSessions {

    private static final int SOFTWARE_MAX = 64;

    private final ForwarderSettings settings;
    private final Clock clock;
    private final EngineCounters counters;
    private final ConcurrentHashMap<String, ServerSession> servers;
    private final Rendezvous rendezvous;
    private final Object registration = new Object();

    /**
     * @param servers the registered servers by key, written here only
     * @param rendezvous told of a server's DECLINE
     */
    ControlSessions(ForwarderSettings settings, Clock clock, EngineCounters counters,
            ConcurrentHashMap<String, ServerSession> servers, Rendezvous rendezvous) {
        this.settings = settings;
        this.clock = clock;
        this.counters = counters;
        this.servers = servers;
        this.rendezvous = rendezvous;
    }

    /** Runs a control connection that opened with HELLO until it ends. */
    void run(Conn conn, Frame hello) throws IOException {
        Payload.Reader r = hello.reader();
        r.string(SOFTWARE_MAX);
        r.end();
        if (servers.size() >= settings.maxServers()) {
            counters.registrationsRejected.increment();
            throw new ProtocolException(ErrorCode.LIMIT, "this forwarder holds its maximum of "
                    + settings.maxServers() + " servers");
        }
        byte[] nonce = Keys.nonce();
        conn.deadlineIn(settings.handshakeTimeout());
        conn.send(new Payload.Writer().bytes(nonce).u32(settings.heartbeatInterval().toMillis())
                .u32(settings.idleTimeout().toMillis()).frame(MessageType.CHALLENGE));
        Frame reg = Frame.read(conn.in).expect(MessageType.REGISTER);
        Payload.Reader rr = reg.reader();
        byte[] publicKey = rr.bytes(1, 128);
        byte[] signature = rr.bytes(1, 128);
        rr.end();
        String key;
        try {
            key = Keys.verifyRegistration(publicKey, nonce, signature);
        } catch (ProtocolException e) {
            counters.registrationsRejected.increment();
            throw e;
        }
        ServerSession session = new ServerSession(key, conn, clock.instant());
        ServerSession old;
        synchronized (registration) {
            if (!servers.containsKey(key) && servers.size() >= settings.maxServers()) {
                counters.registrationsRejected.increment();
                throw new ProtocolException(ErrorCode.LIMIT, "this forwarder holds its maximum of "
                        + settings.maxServers() + " servers");
            }
            old = servers.put(key, session);
        }
        if (old != null) {
            old.control.fail(ErrorCode.REPLACED, "the key registered again from " + conn.remoteText());
        }
        counters.registrations.increment();
        try {
            conn.send(new Payload.Writer().string(key).frame(MessageType.REGISTERED));
            conn.deadlineIn(settings.idleTimeout());
            while (true) {
                Frame f = Frame.read(conn.in);
                conn.deadlineIn(settings.idleTimeout());
                session.lastHeartbeat = clock.instant();
                switch (f.type()) {
                    case MessageType.PING -> {
                        Payload.Reader p = f.reader();
                        long seq = p.u64();
                        p.end();
                        conn.send(new Payload.Writer().u64(seq).frame(MessageType.PONG));
                    }
                    case MessageType.PONG -> {
                        // an answer to nothing we asked: harmless
                    }
                    case MessageType.DECLINE -> rendezvous.decline(session, f);
                    case MessageType.ERROR -> throw f.asError();
                    default -> throw new ProtocolException(ErrorCode.UNEXPECTED,
                            MessageType.name(f.type()) + " on a control connection");
                }
            }
        } finally {
            servers.remove(key, session);
            session.failPending("the server of " + key + " went away");
            if (conn.timedOut) {
                counters.heartbeatsMissed.increment();
            }
        }
    }

    /** {@return the registered servers, in key order} */
    List<RegisteredServer> servers() {
        List<RegisteredServer> out = new ArrayList<>();
        for (ServerSession s : servers.values()) {
            out.add(s.snapshot());
        }
        out.sort(Comparator.comparing(RegisteredServer::key));
        return out;
    }

    /** {@return how many servers are registered} */
    int count() {
        return servers.size();
    }
}
