package dev.natgw.nat.export;

import dev.natgw.api.nat.EventExportStats;
import dev.natgw.nat.internal.NatEventSink;
import dev.natgw.nat.fastpath.EventRing;
import dev.natgw.nat.internal.Threads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends NAT events to IPFIX collectors and syslog servers. {@link #event} puts an event in a bounded queue and
 * returns at once (a full queue loses the event and counts it as queue-full); one sending thread takes the events,
 * builds IPFIX messages and syslog lines, and sends them without blocking: a UDP send the kernel cannot take, or a
 * TCP collector that is down or slow, loses the message and counts it per collector. Memory is bounded by the queue,
 * one message buffer and 1 MiB per TCP collector; threads by one.
 */
public final class EventExporter implements NatEventSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventExporter.class);
    private static final int BATCH = 1024;

    private final ExportSettings settings;
    private final LongSupplier clock;
    // the queue: three longs an event, packed as EventRing packs them; guarded by its own monitor
    private final long[] queue;
    private final int capacity;
    private long head;
    private long tail;
    private final String[] poolNames = new String[256];
    private final long[] batch = new long[BATCH * 3];

    private final IpfixWriter ipfix;
    private final SyslogWriter syslogWriter;
    private final DatagramChannel udp;
    private final List<Collector> collectors = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long nextTemplates;

    private final AtomicLong queueFull = new AtomicLong();
    private volatile long exported;
    private volatile long syslogSent;
    private volatile long syslogLost;

    /**
     * Starts the sending thread.
     *
     * @param settings what to send where
     * @param clock milliseconds since 1970, for export times and template refresh
     * @throws IOException if no UDP socket can be opened
     */
    public EventExporter(ExportSettings settings, LongSupplier clock) throws IOException {
        this.settings = settings;
        this.clock = clock;
        this.capacity = settings.queueSize();
        this.queue = new long[capacity * 3];
        this.ipfix = new IpfixWriter(settings.messageSize());
        this.syslogWriter = new SyslogWriter(settings.facility(), settings.hostName());
        this.udp = DatagramChannel.open();
        udp.configureBlocking(false);
        for (InetSocketAddress a : settings.collectors()) {
            collectors.add(settings.tcp() ? new TcpCollector(a, templateMessage()) : new UdpCollector(a, udp));
        }
        this.thread = Thread.ofPlatform().name("natgw-nat-export").daemon().unstarted(this::run);
        thread.start();
    }

    /** {@return a message of the templates alone, sequence number 0, as a new TCP connection starts with} */
    private byte[] templateMessage() {
        ipfix.begin(clock.getAsLong() / 1000, (int) settings.domain());
        ipfix.templates();
        ByteBuffer m = ipfix.finish();
        byte[] b = new byte[m.remaining()];
        m.get(b);
        return b;
    }

    /** {@return whether anything is configured to receive events} */
    public boolean sends() {
        return !collectors.isEmpty() || !settings.syslog().isEmpty();
    }

    @Override
    public void event(int type, int proto, int poolSlot, String poolName, int inAddr, int inPort, int outAddr,
            int outPort, long epochMillis) {
        int slot = poolSlot & 0xff;
        if (poolName != null && poolNames[slot] != poolName) {
            poolNames[slot] = poolName; // a racy cache is fine: names of a slot never change while its engine lives
        }
        boolean wasEmpty;
        synchronized (queue) {
            if (tail - head >= capacity) {
                queueFull.incrementAndGet();
                return;
            }
            int i = (int) (tail % capacity) * 3;
            queue[i] = (long) type << 56 | (long) (proto & 0xff) << 48 | (long) slot << 40
                    | (long) (inPort & 0xffff) << 16 | (outPort & 0xffff);
            queue[i + 1] = (long) inAddr << 32 | (outAddr & 0xffffffffL);
            queue[i + 2] = epochMillis;
            wasEmpty = tail == head;
            tail++;
        }
        if (wasEmpty) {
            LockSupport.unpark(thread);
        }
    }

    /** {@return the counters now} */
    public EventExportStats stats() {
        long queued;
        synchronized (queue) {
            queued = tail - head;
        }
        List<EventExportStats.Collector> targets = new ArrayList<>();
        for (Collector c : collectors) {
            targets.add(new EventExportStats.Collector(c.address.getHostString() + ":" + c.address.getPort(),
                    c instanceof TcpCollector ? "ipfix-tcp" : "ipfix-udp", c.messages, c.records, c.lost,
                    c.state()));
        }
        return new EventExportStats(queued, queueFull.get(), exported, syslogSent, syslogLost, List.copyOf(targets));
    }

    /** Stops the thread, waiting up to 2 s, and closes the sockets. */
    @Override
    public void close() {
        running = false;
        Threads.awaitEnd(thread);
        for (Collector c : collectors) {
            c.close();
        }
        try {
            udp.close();
        } catch (IOException e) {
            LOG.debug("closing the export socket", e);
        }
    }

    private void run() {
        while (running) {
            try {
                long now = clock.getAsLong();
                templates(now);
                int n = take();
                if (n > 0) {
                    send(n, now);
                } else {
                    for (Collector c : collectors) {
                        c.pump(now);
                    }
                    LockSupport.parkNanos(20_000_000L);
                }
            } catch (RuntimeException e) {
                // never let one bad send end export; counted per target where it is known
                LOG.warn("NAT event export: {}", e.toString());
                LockSupport.parkNanos(100_000_000L);
            }
        }
    }

    private int take() {
        synchronized (queue) {
            int n = (int) Math.min(BATCH, tail - head);
            for (int k = 0; k < n; k++) {
                int i = (int) ((head + k) % capacity) * 3;
                System.arraycopy(queue, i, batch, k * 3, 3);
            }
            head += n;
            return n;
        }
    }

    private void templates(long now) {
        if (collectors.isEmpty()) {
            return;
        }
        boolean refresh = now >= nextTemplates;
        if (refresh) {
            nextTemplates = now + settings.templateRefreshSeconds() * 1000L;
        }
        for (Collector c : collectors) {
            if (c.wantsTemplates(refresh, now)) {
                ipfix.begin(now / 1000, (int) settings.domain());
                ipfix.templates();
                c.send(ipfix.finish(), 0, now);
            }
        }
    }

    private void send(int n, long now) {
        if (!collectors.isEmpty()) {
            ipfix.begin(now / 1000, (int) settings.domain());
            for (int k = 0; k < n; k++) {
                if (!add(k)) {
                    flush(now);
                    ipfix.begin(now / 1000, (int) settings.domain());
                    add(k); // an empty message holds any record
                }
            }
            flush(now);
        }
        if (!settings.syslog().isEmpty()) {
            for (int k = 0; k < n; k++) {
                long w0 = batch[k * 3];
                long w1 = batch[k * 3 + 1];
                ByteBuffer line = syslogWriter.event((int) (w0 >>> 56), (int) (w0 >>> 48) & 0xff,
                        poolNames[(int) (w0 >>> 40) & 0xff], (int) (w1 >>> 32), (int) (w0 >>> 16) & 0xffff, (int) w1,
                        (int) w0 & 0xffff, batch[k * 3 + 2]);
                for (InetSocketAddress s : settings.syslog()) {
                    try {
                        if (udp.send(line.duplicate(), s) > 0) {
                            syslogSent++;
                        } else {
                            syslogLost++;
                        }
                    } catch (IOException e) {
                        syslogLost++;
                    }
                }
            }
        }
        exported += n;
    }

    private boolean add(int k) {
        long w0 = batch[k * 3];
        long w1 = batch[k * 3 + 1];
        long when = batch[k * 3 + 2];
        int type = (int) (w0 >>> 56);
        int proto = (int) (w0 >>> 48) & 0xff;
        int slot = (int) (w0 >>> 40) & 0xff;
        int inPort = (int) (w0 >>> 16) & 0xffff;
        int inAddr = (int) (w1 >>> 32);
        String pool = poolNames[slot];
        return switch (type) {
            case EventRing.BLOCK_ALLOCATED, EventRing.BLOCK_RELEASED -> ipfix.portBlock(
                    type == EventRing.BLOCK_ALLOCATED, when, inAddr, (int) w1, (int) w0 & 0xffff,
                    ((int) w0 & 0xffff) + inPort - 1, 1, inPort, slot, pool);
            case EventRing.CREATED, EventRing.DELETED -> ipfix.session(type == EventRing.CREATED, when, proto,
                    inAddr, inPort, (int) w1, (int) w0 & 0xffff, slot, pool);
            default -> ipfix.refused(type != EventRing.REFUSED_EXHAUSTED, when, proto, inAddr, inPort, slot, pool);
        };
    }

    private void flush(long now) {
        if (ipfix.isEmpty()) {
            return;
        }
        int records = ipfix.records();
        ByteBuffer m = ipfix.finish();
        for (Collector c : collectors) {
            c.send(m, records, now);
        }
    }

    /** One IPFIX collector: a transport session with its own sequence number. Used by the sending thread only. */
    abstract static class Collector {
        final InetSocketAddress address;
        long sequence;
        volatile long messages;
        volatile long records;
        volatile long lost;

        Collector(InetSocketAddress address) {
            this.address = address;
        }

        /** Sends a finished message, counting it; never blocks. */
        abstract void send(ByteBuffer message, int recordCount, long now);

        /** {@return whether templates are due: on a refresh (UDP) or on a new connection (TCP)} */
        abstract boolean wantsTemplates(boolean refresh, long now);

        /** Moves queued bytes on; nothing for UDP. */
        void pump(long now) {
        }

        abstract String state();

        void close() {
        }
    }

    /** A collector over UDP: one datagram a message, through the exporter's one socket. */
    static final class UdpCollector extends Collector {
        private final DatagramChannel channel;
        private volatile String state = "sending";

        UdpCollector(InetSocketAddress address, DatagramChannel channel) {
            super(address);
            this.channel = channel;
        }

        @Override
        void send(ByteBuffer message, int recordCount, long now) {
            IpfixWriter.sequence(message, sequence);
            // the collector learns of lost datagrams by the sequence numbers, so count them as sent either way
            sequence += recordCount;
            try {
                if (channel.send(message.duplicate(), address) > 0) {
                    messages++;
                    records += recordCount;
                    state = "sending";
                } else {
                    lost += recordCount;
                    state = "socket buffer full";
                }
            } catch (IOException e) {
                lost += recordCount;
                state = e.toString();
            }
        }

        @Override
        boolean wantsTemplates(boolean refresh, long now) {
            return refresh;
        }

        @Override
        String state() {
            return state;
        }
    }

    /**
     * A collector over TCP (RFC 7011 section 10.4): a non-blocking connection that starts with the templates, a
     * bounded send buffer, and reconnection with backoff after a failure. A message that finds the connection down
     * or the buffer full is lost and counted; the sequence number still counts its records, so the collector sees
     * the gap.
     */
    static final class TcpCollector extends Collector {
        static final int BUFFER = 1 << 20;
        private static final long CONNECT_TIMEOUT_MS = 5_000;
        private final byte[] templates;
        private final ByteBuffer pending = ByteBuffer.allocate(BUFFER);
        private java.nio.channels.SocketChannel channel;
        private boolean up;
        private long since;
        private long nextAttempt;
        private long backoff = 1_000;
        private volatile String state = "connecting";

        TcpCollector(InetSocketAddress address, byte[] templates) {
            super(address);
            this.templates = templates;
        }

        @Override
        void send(ByteBuffer message, int recordCount, long now) {
            pump(now);
            if (!up || pending.remaining() < message.remaining()) {
                lost += recordCount;
                sequence += recordCount;
                return;
            }
            IpfixWriter.sequence(message, sequence);
            sequence += recordCount;
            pending.put(message.duplicate());
            messages++;
            records += recordCount;
            pump(now);
        }

        @Override
        boolean wantsTemplates(boolean refresh, long now) {
            return false; // sent at the start of each connection
        }

        @Override
        void pump(long now) {
            try {
                if (channel == null) {
                    if (now < nextAttempt) {
                        return;
                    }
                    channel = java.nio.channels.SocketChannel.open();
                    channel.configureBlocking(false);
                    since = now;
                    state = "connecting";
                    if (channel.connect(address)) {
                        connected(now);
                    }
                    return;
                }
                if (!up) {
                    if (channel.finishConnect()) {
                        connected(now);
                    } else if (now - since > CONNECT_TIMEOUT_MS) {
                        fail(now, "connect timed out");
                    }
                    return;
                }
                if (pending.position() > 0) {
                    pending.flip();
                    channel.write(pending);
                    pending.compact();
                    state = pending.position() == 0
                            ? "connected"
                            : "connected, " + pending.position() + " bytes queued";
                }
            } catch (IOException e) {
                fail(now, e.toString());
            }
        }

        private void connected(long now) {
            up = true;
            backoff = 1_000;
            sequence = 0; // a new transport session
            pending.clear();
            pending.put(templates);
            state = "connected";
            pump(now);
        }

        private void fail(long now, String why) {
            close();
            up = false;
            pending.clear();
            nextAttempt = now + backoff;
            backoff = Math.min(backoff * 2, 30_000);
            state = "down: " + why;
        }

        @Override
        String state() {
            return state;
        }

        @Override
        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("closing an IPFIX connection", e);
                }
                channel = null;
            }
        }
    }
}
