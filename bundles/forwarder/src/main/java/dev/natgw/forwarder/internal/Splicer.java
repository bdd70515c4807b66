package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.RelaySession;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.MessageType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Splices a client to its server's data connection: CONNECTED to both, then one copy per direction (the client's
 * thread one way, a second virtual thread the other) until both reach end of stream, each passed on as a
 * half-close. Every chunk moves both connections' deadlines to {@code relay.idle.timeout}, so only an idle relay is
 * reaped. Plain TCP copies channel to channel through direct buffers; TLS copies through reused heap arrays.
 *
 * <p>
 * Invariant: a relay is in the table exactly while it runs, and both its connections are closed when it leaves.
 * Thread-safe.
 */
final class Splicer {

    private static final int SMALL_BUFFER = 4096;

    private final ForwarderSettings settings;
    private final Clock clock;
    private final AtomicLong ids;
    private final EngineCounters counters;
    private final ConcurrentHashMap<Long, Relay> relays = new ConcurrentHashMap<>();

    /** @param ids the engine's id sequence, shared with the connections */
    Splicer(ForwarderSettings settings, Clock clock, AtomicLong ids, EngineCounters counters) {
        this.settings = settings;
        this.clock = clock;
        this.ids = ids;
        this.counters = counters;
    }

    /**
     * Relays between client and data until both directions end; closes both.
     *
     * @param meter told of every chunk moved, either way (the tenant's bytes and byte rate; it may wait), or null
     */
    void relay(ServerSession server, Conn client, Conn data, IntConsumer meter) throws IOException {
        Relay relay = new Relay(ids.incrementAndGet(), server.key, client, data, clock.instant());
        relays.put(relay.id, relay);
        counters.relaysOpened.increment();
        try {
            Frame connected = Frame.of(MessageType.CONNECTED);
            client.deadlineIn(settings.relayIdleTimeout());
            data.deadlineIn(settings.relayIdleTimeout());
            client.send(connected);
            data.send(connected);
            Thread back = Thread.ofVirtual().name("natgw-fwd-relay-" + relay.id)
                    .start(() -> pump(data, client, relay.serverToClient, meter));
            pump(client, data, relay.clientToServer, meter);
            // after a half-close the other direction may run for long yet (a request, then a long answer): it ends at
            // its own end of stream, on an error, or when the reaper closes the relay once it is idle, so it is
            // awaited without a bound of its own; a bound here cut answers that outlasted it
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            relays.remove(relay.id);
            counters.relaysClosed.increment();
            client.close();
            data.close();
        }
    }

    /**
     * Copies from one side to the other through one bounded buffer until end of stream, which it passes on as a
     * half-close; an error closes both sides. Every chunk moves both deadlines on.
     */
    private void pump(Conn from, Conn to, AtomicLong count, IntConsumer meter) {
        long idle = settings.relayIdleTimeout().toNanos();
        IntConsumer moved = n -> {
            count.addAndGet(n);
            counters.bytesRelayed.add(n);
            from.deadlineInNanos(idle);
            to.deadlineInNanos(idle);
            if (meter != null) {
                // may wait for the tenant's byte rate: the deadlines count from the end of the wait
                meter.accept(n);
                from.deadlineInNanos(idle);
                to.deadlineInNanos(idle);
            }
        };
        try {
            SocketChannel in = from.socket.getChannel();
            SocketChannel out = to.socket.getChannel();
            if (in != null && out != null) {
                copy(in, out, moved);
            } else {
                copy(from.in, to.out, moved);
            }
            try {
                to.socket.shutdownOutput();
            } catch (IOException | UnsupportedOperationException e) {
                to.close();
            }
        } catch (IOException e) {
            from.close();
            to.close();
        }
    }

    /**
     * Copies channel to channel through a direct buffer: the bytes go from one socket to the other without the two
     * extra copies through the heap that stream I/O makes. An idle or slow direction holds {@link #SMALL_BUFFER}
     * bytes; one that fills its buffer takes relay.buffer bytes, and gives them back after
     * {@link BufferSizing#SHRINK_AFTER} reads that would have fit the small one. So idle relays cost little memory and
     * busy ones move large chunks.
     */
    private void copy(SocketChannel in, SocketChannel out, IntConsumer moved) throws IOException {
        BufferSizing sizing = new BufferSizing(Math.min(SMALL_BUFFER, settings.relayBuffer()), settings.relayBuffer());
        ByteBuffer small = ByteBuffer.allocateDirect(sizing.small);
        ByteBuffer large = null;
        ByteBuffer buffer = small;
        while (in.read(buffer) >= 0) {
            boolean full = !buffer.hasRemaining();
            buffer.flip();
            int n = buffer.remaining();
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            buffer.clear();
            moved.accept(n);
            if (sizing.useLarge(n, full)) {
                if (large == null) {
                    large = ByteBuffer.allocateDirect(sizing.large);
                }
                buffer = large;
            } else {
                // an idle direction drops its large buffer, so that idle relays hold only the small one
                large = null;
                buffer = small;
            }
        }
    }

    /**
     * The TLS path: JSSE's streams decrypt into and encrypt from heap arrays, so the relay reads into one array per
     * direction that it reuses for every read (no allocation per read), sized as the channel path sizes its buffer.
     */
    private void copy(InputStream in, OutputStream out, IntConsumer moved) throws IOException {
        BufferSizing sizing = new BufferSizing(Math.min(SMALL_BUFFER, settings.relayBuffer()), settings.relayBuffer());
        byte[] small = new byte[sizing.small];
        byte[] large = null;
        byte[] buffer = small;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
            moved.accept(n);
            if (sizing.useLarge(n, n == buffer.length)) {
                if (large == null) {
                    large = new byte[sizing.large];
                }
                buffer = large;
            } else {
                large = null;
                buffer = small;
            }
        }
    }

    /** {@return the newest relays, at most limit} */
    List<RelaySession> sessions(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return relays.values().stream().sorted(Comparator.comparingLong((Relay r) -> r.id).reversed()).limit(limit)
                .map(Relay::snapshot).toList();
    }

    /** {@return how many relays run} */
    int count() {
        return relays.size();
    }
}
