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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Data connections a server keeps parked, ready for its next clients (docs/protocol.md, section 5a): a connection that
 * opens with {@code PARK key} is proven to be the key's server (its signature of a nonce this forwarder made for this
 * connection, over this forwarder's identity, as {@code DATA} is) and waits in the server's pool; a client's
 * {@code CONNECT} takes one at once ({@code PAIRED}, answered {@code CONNECTED}) instead of pushing {@code INCOMING} and
 * waiting for the server to connect. Bounds: {@code max.parked.per.server}, {@code max.parked} (all servers), each
 * reserved before the connection joins a pool, and {@code parked.idle.timeout}, after which the connection is closed.
 *
 * <p>
 * Invariant: a parked connection is in its server's pool at most once and is taken from it at most once; its thread
 * (the one that read {@code PARK}) owns it until it hands it to the client that took it, and gives its places in the
 * bounds back exactly once. Thread-safe.
 */
final class Parking {
    private final ForwarderSettings settings;
    private final ConcurrentHashMap<String, ServerSession> servers;
    private final AtomicInteger total = new AtomicInteger();

    /** @param servers the registered servers by key, read only here */
    Parking(ForwarderSettings settings, ConcurrentHashMap<String, ServerSession> servers) {
        this.settings = settings;
        this.servers = servers;
    }

    /** {@return how many connections are parked now, all servers together} */
    int parked() {
        return total.get();
    }

    /**
     * Runs a connection that opened with PARK: proves it, parks it until a client takes it or it idles out.
     *
     * @return true: a client's thread owns the connection from here
     */
    boolean park(Conn conn, Frame park) throws IOException {
        Payload.Reader r = park.reader();
        String key = r.string(256);
        r.end();
        ServerSession server = servers.get(key);
        if (server == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_KEY, "no server is registered under " + key);
        }
        if (settings.maxParkedPerServer() == 0 || settings.maxParked() == 0) {
            throw new ProtocolException(ErrorCode.LIMIT, "this forwarder parks no data connections");
        }
        byte[] nonce = Keys.nonce();
        conn.deadlineIn(settings.handshakeTimeout());
        conn.send(new Payload.Writer().bytes(nonce).u32(settings.parkedIdleTimeout().toMillis()).frame(
                MessageType.PARK_NONCE));
        Payload.Reader proof = Frame.read(conn.in).expect(MessageType.PARK_PROOF).reader();
        byte[] signature = proof.bytes(1, 128);
        proof.end();
        if (!Keys.verifyPark(server.publicKey, ForwarderIdentity.presented(conn.socket), nonce, signature)) {
            throw new ProtocolException(ErrorCode.BAD_PROOF, "the parked connection is not signed by " + key
                    + " for this forwarder");
        }
        if (!ServerSession.reserve(total, settings.maxParked())) {
            throw new ProtocolException(ErrorCode.LIMIT, "this forwarder has its maximum of " + settings.maxParked()
                    + " parked connections");
        }
        Parked p = new Parked(conn);
        try {
            if (!server.tryPark(p, settings.maxParkedPerServer())) {
                throw new ProtocolException(ErrorCode.LIMIT, key + " has its maximum of "
                        + settings.maxParkedPerServer() + " parked connections");
            }
            try {
                if (servers.get(key) != server) {
                    // the session ended (or was replaced) while this one was being proven: its pool is not read again
                    throw new ProtocolException(ErrorCode.UNKNOWN_KEY, "the server of " + key + " went away");
                }
                conn.deadlineIn(settings.parkedIdleTimeout());
                return p.await();
            } finally {
                server.unpark(p);
            }
        } finally {
            total.decrementAndGet();
        }
    }

    /**
     * Pairs a client with one of the server's parked connections, if it has one that answers.
     *
     * @return the data connection, its server ready (the relay may start), or null if none is parked
     */
    Conn pair(ServerSession server, Conn client) {
        Duration wait = settings.handshakeTimeout().compareTo(settings.dataTimeout()) < 0
                ? settings.handshakeTimeout()
                : settings.dataTimeout();
        for (Parked p = server.takeParked(); p != null; p = server.takeParked()) {
            Conn data = p.pair(client.remoteText(), wait);
            if (data != null) {
                return data;
            }
        }
        return null;
    }

    /** A parked connection and its hand-over to the client that takes it. */
    static final class Parked {
        final Conn conn;
        private final AtomicBoolean taken = new AtomicBoolean();
        private final CompletableFuture<Conn> ready = new CompletableFuture<>();

        Parked(Conn conn) {
            this.conn = conn;
        }

        /** {@return true once, for the one client that takes it} */
        boolean take() {
            return taken.compareAndSet(false, true);
        }

        /**
         * The parked connection's own thread: reads until its server answers a pairing with CONNECTED (true: handed
         * over), or the connection ends, idles out or breaks the protocol (false, or the error).
         */
        boolean await() throws IOException {
            try {
                Frame f = Frame.read(conn.in);
                if (f.type() == MessageType.ERROR) {
                    throw f.asError();
                }
                if (f.type() != MessageType.CONNECTED || !taken.get()) {
                    throw new ProtocolException(ErrorCode.UNEXPECTED, MessageType.name(f.type())
                            + " on a parked connection" + (taken.get() ? "" : " before PAIRED"));
                }
                f.reader().end();
                return ready.complete(conn);
            } catch (IOException | RuntimeException e) {
                ready.completeExceptionally(e);
                throw e;
            }
        }

        /** A client's thread: tells the server who is paired, waits (bounded) for its CONNECTED; null if it failed. */
        Conn pair(String client, Duration wait) {
            conn.deadlineIn(wait.plusSeconds(1));
            try {
                conn.send(new Payload.Writer().string(client).frame(MessageType.PAIRED));
                return ready.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (IOException | ExecutionException | TimeoutException e) {
                ready.completeExceptionally(e);
                conn.close();
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ready.completeExceptionally(e);
                conn.close();
                return null;
            }
        }
    }
}
