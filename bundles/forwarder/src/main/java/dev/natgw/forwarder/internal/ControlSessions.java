package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import dev.natgw.traversal.protocol.TenantCredential;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Servers' control connections (docs/protocol.md, section 4): HELLO, a CHALLENGE with a fresh nonce, a REGISTER
 * signed with the key's Ed25519 private key over the nonce and this forwarder's identity (and, optionally, a tenant
 * credential's signature), admitted by the
 * {@link Gatekeeper}, then heartbeats until the connection ends. At most {@code max.servers} keys are registered at
 * once, with places kept for renewing keys ({@link ServerSlots}); a key registering again replaces its older session,
 * which is told REPLACED. When a session ends its waiting clients are failed at once rather than left to time out.
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
    private final Gatekeeper gate;
    private final ServerSlots slots;

    /**
     * @param servers the registered servers by key, written here only
     * @param rendezvous told of a server's DECLINE
     * @param gate admits keys (credentials, prefixes, tenant quotas)
     * @param slots the places of max.servers, renewals first
     */
    ControlSessions(ForwarderSettings settings, Clock clock, EngineCounters counters,
            ConcurrentHashMap<String, ServerSession> servers, Rendezvous rendezvous, Gatekeeper gate,
            ServerSlots slots) {
        this.gate = gate;
        this.slots = slots;
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
        // max.servers is checked once the key is known: a renewing or replacing server may come in when full
        byte[] nonce = Keys.nonce();
        conn.deadlineIn(settings.handshakeTimeout());
        conn.send(new Payload.Writer().bytes(nonce).u32(settings.heartbeatInterval().toMillis())
                .u32(settings.idleTimeout().toMillis()).frame(MessageType.CHALLENGE));
        Frame reg = Frame.read(conn.in).expect(MessageType.REGISTER);
        Payload.Reader rr = reg.reader();
        byte[] publicKey = rr.bytes(1, 128);
        byte[] signature = rr.bytes(1, 128);
        // the optional tenant credential (section 10): a tenant name and its signature
        String tenant = null;
        byte[] tenantSignature = null;
        if (rr.more()) {
            tenant = rr.string(TenantCredential.MAX_NAME);
            tenantSignature = rr.bytes(1, 128);
        }
        rr.end();
        String key;
        Gatekeeper.Grant grant;
        try {
            // the proof names the forwarder the server saw (its TLS certificate), so one relayed here from another
            // forwarder does not verify
            key = Keys.verifyRegistration(publicKey, nonce, ForwarderIdentity.presented(conn.socket), signature);
            grant = gate.admit(key, publicKey, nonce, tenant, tenantSignature, conn.source, servers.containsKey(
                    key));
        } catch (ProtocolException e) {
            counters.registrationsRejected.increment();
            throw e;
        }
        ServerSession session = new ServerSession(key, Keys.publicKey(publicKey), conn, clock.instant());
        ServerSession old;
        synchronized (registration) {
            if (!servers.containsKey(key) && !slots.take(key, servers.size(), System.nanoTime())) {
                counters.registrationsRejected.increment();
                grant.release();
                throw new ProtocolException(ErrorCode.LIMIT, "this forwarder holds its maximum of "
                        + settings.maxServers() + " servers");
            }
            gate.bind(session, grant);
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
            boolean withdrawn = gate.ended(session);
            if (servers.remove(key, session) && !withdrawn) {
                slots.keep(key, System.nanoTime());
            }
            session.failPending("the server of " + key + " went away");
            session.closeParked();
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

    /** {@return the registered keys} */
    java.util.Set<String> keys() {
        return java.util.Set.copyOf(servers.keySet());
    }

    /** {@return how many servers are registered} */
    int count() {
        return servers.size();
    }
}
