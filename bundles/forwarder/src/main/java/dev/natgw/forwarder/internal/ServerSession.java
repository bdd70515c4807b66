package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.ProtocolException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registered server: its control connection, its clients waiting for a data connection and the count of its open
 * relays. The counts are reserved with compare-and-set against their bounds, so they never pass them. Thread-safe.
 */
final class ServerSession {
    final String key;
    /** The key's public key, which signs the server's DATA connections. */
    final PublicKey publicKey;
    final Conn control;
    final Instant registeredAt;
    volatile Instant lastHeartbeat;
    final Set<Pending> pending = ConcurrentHashMap.newKeySet();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicInteger relays = new AtomicInteger();
    /** Parked data connections not taken yet (section 5a), and the count of those this session holds. */
    private final ConcurrentLinkedDeque<Parking.Parked> parked = new ConcurrentLinkedDeque<>();
    private final AtomicInteger parkedCount = new AtomicInteger();

    ServerSession(String key, PublicKey publicKey, Conn control, Instant now) {
        this.key = key;
        this.publicKey = publicKey;
        this.control = control;
        this.registeredAt = now;
        this.lastHeartbeat = now;
    }

    boolean tryAddPending(int max) {
        return reserve(pendingCount, max);
    }

    void removePending(Pending p) {
        if (pending.remove(p)) {
            pendingCount.decrementAndGet();
        }
    }

    boolean tryAddRelay(int max) {
        return reserve(relays, max);
    }

    void relayEnded() {
        relays.decrementAndGet();
    }

    int relays() {
        return relays.get();
    }

    /** Adds a proven parked connection to the pool unless it has max already; false when full. */
    boolean tryPark(Parking.Parked p, int max) {
        if (!reserve(parkedCount, max)) {
            return false;
        }
        parked.addLast(p);
        return true;
    }

    /** Takes the oldest parked connection for a client, or null if none is left. */
    Parking.Parked takeParked() {
        for (Parking.Parked p = parked.pollFirst(); p != null; p = parked.pollFirst()) {
            if (p.take()) {
                return p;
            }
        }
        return null;
    }

    /** A parked connection ended (handed over, closed or idle): gives its place back; once per {@link #tryPark}. */
    void unpark(Parking.Parked p) {
        parked.remove(p);
        parkedCount.decrementAndGet();
    }

    /** {@return how many parked connections this server holds} */
    int parkedCount() {
        return parkedCount.get();
    }

    /** Closes the parked connections: the server is gone. */
    void closeParked() {
        for (Parking.Parked p = parked.pollFirst(); p != null; p = parked.pollFirst()) {
            p.conn.close();
        }
    }

    /** Fails every waiting client: the server is gone. */
    void failPending(String why) {
        for (Pending p : pending) {
            p.future.completeExceptionally(new ProtocolException(ErrorCode.UNKNOWN_KEY, why));
        }
    }

    RegisteredServer snapshot() {
        return new RegisteredServer(key, control.remote, registeredAt, lastHeartbeat, pendingCount.get(),
                relays.get());
    }

    /** Takes one of max places with compare-and-set, so the count never passes max; false when full. */
    static boolean reserve(AtomicInteger counter, int max) {
        while (true) {
            int n = counter.get();
            if (n >= max) {
                return false;
            }
            if (counter.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }
}
