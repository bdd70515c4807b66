package dev.natgw.forwarder.internal;

import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Matches a client's CONNECT to its server's data connection (docs/protocol.md, section 5): the client waits under a
 * one-time token that the server is sent in INCOMING, until the server opens a data connection with DATA and the
 * token, declines, goes away or lets {@code data.timeout} pass. The client's bounds ({@code max.pending.per.key},
 * {@code max.relays.per.key}) are reserved before the wait and the match, so they are never passed.
 *
 * <p>
 * Invariant: a token is in the table only while its client waits, and is used at most once ({@link Pending}).
 * Thread-safe: a client's and a data connection's virtual threads meet here.
 */
final class Rendezvous {

    private final ForwarderSettings settings;
    private final EngineCounters counters;
    private final ConcurrentHashMap<String, ServerSession> servers;
    private final Splicer splicer;
    private final ConcurrentHashMap<String, Pending> tokens = new ConcurrentHashMap<>();
    private final Gatekeeper gate;
    private final Parking parking;

    /**
     * @param servers the registered servers by key, read only here ({@link ControlSessions} writes it)
     * @param splicer joins a matched client to its data connection
     * @param gate counts clients by prefix and in their server's tenant quota
     * @param parking the servers' parked data connections, tried before a token
     */
    Rendezvous(ForwarderSettings settings, EngineCounters counters, ConcurrentHashMap<String, ServerSession> servers,
            Splicer splicer, Gatekeeper gate, Parking parking) {
        this.gate = gate;
        this.parking = parking;
        this.settings = settings;
        this.counters = counters;
        this.servers = servers;
        this.splicer = splicer;
    }

    /** Runs a connection that opened with CONNECT: waits for the server, then relays until either side ends. */
    void client(Conn conn, Frame connect) throws IOException {
        Payload.Reader r = connect.reader();
        String key = r.string(256);
        r.end();
        ServerSession server = servers.get(key);
        if (server == null) {
            counters.clientsRejected.increment();
            throw new ProtocolException(ErrorCode.UNKNOWN_KEY, "no server is registered under " + key);
        }
        if (server.relays() >= settings.maxRelaysPerKey()) {
            counters.clientsRejected.increment();
            throw new ProtocolException(ErrorCode.LIMIT, key + " has its maximum of "
                    + settings.maxRelaysPerKey() + " relays");
        }
        Gatekeeper.RelayTicket ticket;
        try {
            ticket = gate.openRelay(server, conn.source);
        } catch (ProtocolException e) {
            counters.clientsRejected.increment();
            throw e;
        }
        try (ticket) {
            // a connection the server parked in advance (section 5a), else one it opens for this client (section 5)
            Conn data = parking.pair(server, conn);
            if (data == null) {
                if (!server.tryAddPending(settings.maxPendingPerKey())) {
                    counters.clientsRejected.increment();
                    throw new ProtocolException(ErrorCode.LIMIT, key + " has its maximum of "
                            + settings.maxPendingPerKey() + " pending clients");
                }
                data = awaitData(conn, server);
            }
            if (!server.tryAddRelay(settings.maxRelaysPerKey())) {
                counters.clientsRejected.increment();
                data.fail(ErrorCode.LIMIT, "too many relays");
                throw new ProtocolException(ErrorCode.LIMIT, key + " has its maximum of "
                        + settings.maxRelaysPerKey() + " relays");
            }
            counters.clientsAccepted.increment();
            try {
                splicer.relay(server, conn, data, ticket.meter());
            } finally {
                server.relayEnded();
            }
        }
    }

    /** Pushes INCOMING to the server and waits for the data connection; the pending place is given back after. */
    private Conn awaitData(Conn client, ServerSession server) throws IOException {
        byte[] tokenBytes = Keys.nonce();
        String token = HexFormat.of().formatHex(tokenBytes);
        Pending p = new Pending(token, server, client);
        server.pending.add(p);
        tokens.put(token, p);
        Duration wait = settings.dataTimeout();
        // the timer's deadline is only a backstop here: the timed get below ends the wait
        client.deadlineIn(wait.plusSeconds(2));
        try {
            if (server.control.isClosed()) {
                throw new ProtocolException(ErrorCode.UNKNOWN_KEY, "the server of " + server.key + " went away");
            }
            try {
                server.control.send(new Payload.Writer().bytes(tokenBytes).string(client.remoteText())
                        .frame(MessageType.INCOMING));
            } catch (IOException e) {
                throw new ProtocolException(ErrorCode.UNKNOWN_KEY, "the server of " + server.key + " went away");
            }
            try {
                return p.future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (p.future.completeExceptionally(new ProtocolException(ErrorCode.SERVER_TIMEOUT, "timeout"))) {
                    counters.clientsRejected.increment();
                    counters.timeouts.increment();
                    throw new ProtocolException(ErrorCode.SERVER_TIMEOUT, "the server's data connection did not"
                            + " arrive within " + wait.toSeconds() + " s");
                }
                return p.future.join();
            } catch (ExecutionException e) {
                counters.clientsRejected.increment();
                if (e.getCause() instanceof ProtocolException pe) {
                    throw pe;
                }
                throw new ProtocolException(ErrorCode.UNKNOWN_KEY, String.valueOf(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProtocolException(ErrorCode.SHUTDOWN, "stopping");
            }
        } finally {
            tokens.remove(token, p);
            server.removePending(p);
        }
    }

    /**
     * Hands a connection that opened with DATA to the client waiting under its token, if the DATA carries the
     * signature of the token's server (docs/protocol.md, section 5): a token seen on the wire is worth nothing
     * without the server's private key. A refused DATA leaves the token to its server.
     *
     * @return true: the client's thread owns the connection from here
     */
    boolean data(Conn conn, Frame dataFrame) throws IOException {
        Payload.Reader r = dataFrame.reader();
        byte[] tokenBytes = r.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES);
        byte[] signature = r.more() ? r.bytes(1, 128) : null;
        r.end();
        String token = HexFormat.of().formatHex(tokenBytes);
        // until the waiting client's thread starts the relay the data timeout bounds the connection; set before the
        // hand-over, so that it cannot overwrite the relay's own deadline once the relay has started
        conn.deadlineIn(settings.dataTimeout());
        Pending p = tokens.get(token);
        if (p == null) {
            throw new ProtocolException(ErrorCode.BAD_TOKEN, "unknown, used or expired token");
        }
        // checked only for a live token, so random tokens cost no signature check
        if (signature == null) {
            throw new ProtocolException(ErrorCode.BAD_TOKEN, "DATA without the server's signature ("
                    + Keys.DATA_CONTEXT + "): a token is usable only by its server; upgrade natgw-traversal");
        }
        if (!Keys.verifyData(p.server.publicKey, ForwarderIdentity.presented(conn.socket), tokenBytes, signature)) {
            throw new ProtocolException(ErrorCode.BAD_TOKEN, "the token is not signed by " + p.server.key
                    + " for this forwarder: a token is usable only by its server");
        }
        if (!tokens.remove(token, p) || !p.future.complete(conn)) {
            throw new ProtocolException(ErrorCode.BAD_TOKEN, "unknown, used or expired token");
        }
        // the waiting client's thread owns the connection from here
        return true;
    }

    /** A server's DECLINE on its control connection: fails the client waiting under the token, if it is its. */
    void decline(ServerSession session, Frame f) throws ProtocolException {
        Payload.Reader r = f.reader();
        String token = HexFormat.of().formatHex(r.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES));
        String reason = r.string(1024);
        r.end();
        Pending p = tokens.get(token);
        if (p != null && p.server == session) {
            p.future.completeExceptionally(new ProtocolException(ErrorCode.DECLINED, "the server declined: "
                    + reason));
        }
    }

    /** {@return how many clients wait for a data connection} */
    int waiting() {
        return tokens.size();
    }
}
