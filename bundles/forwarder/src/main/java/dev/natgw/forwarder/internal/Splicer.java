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
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * Splices a client to its server's data connection: CONNECTED to both, then one copy per direction (the client's
 * thread one way, a second virtual thread the other) until both reach end of stream, each passed on as a
 * half-close. Every chunk moves both connections' deadlines to {@code relay.idle.timeout}, so only an idle relay is
 * reaped. Plain TCP copies channel to channel through direct buffers; a plain direction that moves bulk data
 * (it fills its buffer) hands over to a {@link SplicePump} on a platform thread while a slot of
 * {@code relay.splice.max} is free, and comes back to copying after {@link #SPLICE_IDLE_MILLIS} idle. TLS copies
 * through reused heap arrays.
 *
 * <p>
 * Invariant: a relay is in the table exactly while it runs, and both its connections are closed when it leaves.
 * Thread-safe.
 */
final class Splicer {

    private static final int SMALL_BUFFER = 4096;
    /** How long a spliced direction waits for bytes before it gives its pipe and thread back and copies again. */
    static final int SPLICE_IDLE_MILLIS = 1000;
    /** A splice thread's stack: it runs one loop of system calls. */
    private static final long SPLICE_STACK = 256 * 1024;

    private final ForwarderSettings settings;
    private final Clock clock;
    private final AtomicLong ids;
    private final EngineCounters counters;
    private final ConcurrentHashMap<Long, Relay> relays = new ConcurrentHashMap<>();
    /** Free places for spliced directions; null when splicing is off or the native calls are not available. */
    private final Semaphore spliceSlots;
    /** Splice runs begun, and directions that wanted one when every slot was taken. */
    final LongAdder spliceRuns = new LongAdder();
    final LongAdder spliceRefused = new LongAdder();
    final LongAdder bytesSpliced = new LongAdder();

    /** @param ids the engine's id sequence, shared with the connections */
    Splicer(ForwarderSettings settings, Clock clock, AtomicLong ids, EngineCounters counters) {
        this.settings = settings;
        this.clock = clock;
        this.ids = ids;
        this.counters = counters;
        this.spliceSlots = settings.relaySpliceMax() > 0 && LinuxCalls.AVAILABLE
                ? new Semaphore(settings.relaySpliceMax())
                : null;
    }

    /** {@return whether plain relays may splice: on in the settings and the native calls bound} */
    boolean splicing() {
        return spliceSlots != null;
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
            // both directions are done: no pump uses the descriptors any more
            client.releaseFd();
            data.releaseFd();
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
                copy(from, to, in, out, moved);
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
     * busy ones move large chunks. A read that fills its buffer tries the splice path first: until the end of stream
     * it moves the rest, or after an idle second it comes back here.
     */
    private void copy(Conn from, Conn to, SocketChannel in, SocketChannel out, IntConsumer moved) throws IOException {
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
            if (full && spliceSlots != null) {
                SplicePump.Outcome outcome = splice(from, to, moved);
                if (outcome == SplicePump.Outcome.END) {
                    return;
                }
                if (outcome == SplicePump.Outcome.IDLE) {
                    // back from an idle pause: start small again
                    sizing = new BufferSizing(sizing.small, sizing.large);
                    large = null;
                    buffer = small;
                    continue;
                }
            }
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
     * Moves this direction with a {@link SplicePump} on a platform thread of its own while a slot is free, and waits
     * for it (a virtual thread waits without holding its carrier).
     *
     * @return how the pump ended, or null if it did not run (no slot free, no descriptor): the caller copies
     */
    private SplicePump.Outcome splice(Conn from, Conn to, IntConsumer moved) throws IOException {
        if (!spliceSlots.tryAcquire()) {
            spliceRefused.increment();
            return null;
        }
        try {
            SocketFd in = from.fd();
            SocketFd out = to.fd();
            if (in == null || out == null) {
                return null;
            }
            spliceRuns.increment();
            IntConsumer counted = n -> {
                bytesSpliced.add(n);
                moved.accept(n);
            };
            SplicePump.Outcome[] outcome = new SplicePump.Outcome[1];
            IOException[] failure = new IOException[1];
            // the descriptors stay open while the pump runs: the relay closes them only after both directions end
            Thread pump = Thread.ofPlatform().name("natgw-fwd-splice").daemon(true).stackSize(SPLICE_STACK).start(
                    () -> {
                        try (SplicePump p = new SplicePump(settings.relayBuffer())) {
                            outcome[0] = p.run(in.fd(), out.fd(), counted, SPLICE_IDLE_MILLIS);
                        } catch (IOException e) {
                            failure[0] = e;
                        } catch (RuntimeException e) {
                            failure[0] = new IOException(e);
                        }
                    });
            boolean interrupted = false;
            while (true) {
                try {
                    pump.join();
                    break;
                } catch (InterruptedException e) {
                    // the pump ends by its sockets (end of stream, an error, the close by a deadline), not by this
                    // thread: it is awaited all the same, and the interrupt kept
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure[0] != null) {
                throw failure[0];
            }
            return outcome[0];
        } finally {
            spliceSlots.release();
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
