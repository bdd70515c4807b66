package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderLoad;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.api.forwarder.RelaySession;
import dev.natgw.api.registry.Registry;
import dev.natgw.forwarder.ForwarderSettings;
import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.IntConsumer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's engine (docs/protocol.md): one listening socket, one platform thread accepting, one virtual thread
 * per connection (a second one per relay for its other direction), and one platform timer thread that closes
 * connections whose deadline passed and renews the registry announcement.
 *
 * <p>
 * Why virtual threads: an idle connection costs a parked virtual thread (a few hundred bytes of heap) instead of a
 * platform thread, so 10,000 idle peers hold no OS threads; the code stays plain blocking I/O (JSSE's SSLSocket
 * included), which a selector loop would have to re-implement as state machines, TLS's SSLEngine included. The bound
 * is not the thread kind but {@code max.connections}, checked on the accept thread before any thread starts, plus
 * the per-source count and rate. Every wait is bounded by a deadline that the timer enforces by closing the socket,
 * because a read timeout alone lets a peer that sends one byte at a time stay forever.
 *
 * <p>
 * Thread-safe; {@link #start} once, {@link #close} once.
 */
public final class ForwarderEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForwarderEngine.class);
    private static final long REAP_MILLIS = 200;
    private static final int SOFTWARE_MAX = 64;
    private static final int SMALL_BUFFER = 4096;

    private final ForwarderSettings settings;
    private final SSLContext tls;
    private final Registry registry;
    private final Clock clock;
    private final SourceLimits sources;
    private final Semaphore probes;

    private final ConcurrentHashMap<Long, Conn> conns = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ServerSession> servers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Pending> tokens = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Relay> relays = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final Object registration = new Object();

    private final LongAdder registrations = new LongAdder();
    private final LongAdder registrationsRejected = new LongAdder();
    private final LongAdder clientsAccepted = new LongAdder();
    private final LongAdder clientsRejected = new LongAdder();
    private final LongAdder relaysOpened = new LongAdder();
    private final LongAdder relaysClosed = new LongAdder();
    private final LongAdder bytesRelayed = new LongAdder();
    private final LongAdder probesMade = new LongAdder();
    private final LongAdder heartbeatsMissed = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder timeouts = new LongAdder();

    private volatile ServerSocket listener;
    private volatile Thread acceptor;
    private volatile ScheduledExecutorService timer;
    private volatile ForwarderState state = ForwarderState.STOPPED;
    private volatile Instant since;
    private volatile String announcedAs;
    private volatile boolean announceFailing;

    /**
     * @param settings the checked configuration
     * @param tls the TLS context when settings say TLS, else null
     * @param registry where to announce, or null not to
     */
    public ForwarderEngine(ForwarderSettings settings, SSLContext tls, Registry registry, Clock clock) {
        if (settings.tls() && tls == null) {
            throw new IllegalArgumentException("tls.enabled is true but no TLS context was given");
        }
        this.settings = settings;
        this.tls = settings.tls() ? tls : null;
        this.registry = registry;
        this.clock = clock;
        this.sources = new SourceLimits(settings.maxConnectionsPerSource(), settings.ratePerSource(),
                settings.maxConnections() * 2);
        this.probes = new Semaphore(settings.maxProbes());
        this.since = clock.instant();
    }

    /** Binds the port, starts accepting, starts the timer and announces. */
    public synchronized void start() throws IOException {
        setState(ForwarderState.STARTING);
        try {
            // plain TCP through a channel, so relays can copy between the sockets' channels with a direct buffer
            ServerSocket ss = tls != null
                    ? tls.getServerSocketFactory().createServerSocket()
                    : ServerSocketChannel.open().socket();
            ss.setReuseAddress(true);
            ss.bind(settings.listen(), 1024);
            listener = ss;
        } catch (IOException e) {
            setState(ForwarderState.FAILED);
            throw new IOException("cannot listen on " + settings.listen() + ": " + e.getMessage(), e);
        }
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("natgw-forwarder-timer").daemon(true).factory());
        timer = t;
        t.scheduleWithFixedDelay(this::reap, REAP_MILLIS, REAP_MILLIS, TimeUnit.MILLISECONDS);
        if (registry != null && settings.announce()) {
            long every = Math.max(1, settings.announceTtl().toMillis() / 3);
            t.scheduleAtFixedRate(this::announce, 0, every, TimeUnit.MILLISECONDS);
        }
        acceptor = Thread.ofPlatform().name("natgw-forwarder-accept").daemon(true).start(this::acceptLoop);
        setState(ForwarderState.LISTENING);
    }

    /** {@return the address the listener is bound to} */
    public InetSocketAddress boundAddress() {
        ServerSocket ss = listener;
        return ss == null ? settings.listen() : (InetSocketAddress) ss.getLocalSocketAddress();
    }

    /** Withdraws the announcement, stops accepting and closes every connection. */
    @Override
    public synchronized void close() {
        if (state == ForwarderState.STOPPED) {
            return;
        }
        setState(ForwarderState.STOPPING);
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        withdraw();
        ServerSocket ss = listener;
        if (ss != null) {
            try {
                ss.close();
            } catch (IOException e) {
                // closing
            }
        }
        Thread a = acceptor;
        if (a != null) {
            try {
                a.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // relays are closed, not handed over: each side gets a FIN, and servers re-register with the new forwarder
        for (Conn c : new ArrayList<>(conns.values())) {
            c.finish();
        }
        setState(ForwarderState.STOPPED);
    }

    private void setState(ForwarderState s) {
        state = s;
        since = clock.instant();
    }

    // ---- accept, limits, deadlines

    private void acceptLoop() {
        ServerSocket ss = listener;
        while (!ss.isClosed()) {
            Socket s;
            try {
                s = ss.accept();
            } catch (IOException e) {
                if (!ss.isClosed()) {
                    LOG.warn("forwarder accept failed: {}", e.getMessage());
                    // an accept error (out of file descriptors) repeats at once: do not spin on it
                    sleepQuietly(50);
                }
                continue;
            }
            admit(s);
        }
    }

    private void admit(Socket s) {
        InetAddress source = s.getInetAddress();
        if (open.incrementAndGet() > settings.maxConnections()) {
            open.decrementAndGet();
            refused.increment();
            closeQuietly(s);
            return;
        }
        SourceLimits.Verdict v = sources.acquire(source, System.nanoTime());
        if (v != SourceLimits.Verdict.OK) {
            open.decrementAndGet();
            refused.increment();
            closeQuietly(s);
            return;
        }
        long id = ids.incrementAndGet();
        Conn conn;
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            conn = new Conn(id, s, () -> {
                conns.remove(id);
                open.decrementAndGet();
                sources.release(source);
            });
        } catch (IOException e) {
            open.decrementAndGet();
            sources.release(source);
            closeQuietly(s);
            return;
        }
        conn.deadlineIn(settings.handshakeTimeout());
        conns.put(id, conn);
        Thread.ofVirtual().name("natgw-fwd-" + id).start(() -> handle(conn));
    }

    private void reap() {
        try {
            long now = System.nanoTime();
            for (Conn c : conns.values()) {
                if (c.expired(now)) {
                    c.timedOut = true;
                    timeouts.increment();
                    c.close();
                }
            }
            sources.sweep(now);
        } catch (RuntimeException e) {
            LOG.warn("forwarder timer: {}", e.toString());
        }
    }

    // ---- announcement

    private void announce() {
        String value = settings.announceValue(boundAddress());
        try {
            registry.announce(ForwarderService.ANNOUNCE_KEY, value, settings.announceTtl());
            announcedAs = value;
            if (announceFailing) {
                LOG.info("forwarder announced again as {}", value);
                announceFailing = false;
            }
        } catch (RuntimeException e) {
            announcedAs = null;
            if (!announceFailing) {
                LOG.warn("forwarder cannot announce itself as {}: {}; retrying", value, e.getMessage());
                announceFailing = true;
            }
        }
    }

    private void withdraw() {
        if (registry != null && settings.announce()) {
            try {
                registry.withdraw(ForwarderService.ANNOUNCE_KEY, settings.announceValue(boundAddress()));
            } catch (RuntimeException e) {
                LOG.warn("forwarder could not withdraw its announcement: {}", e.getMessage());
            }
            announcedAs = null;
        }
    }

    // ---- connections

    private void handle(Conn conn) {
        boolean handedOver = false;
        try {
            Frame first = Frame.read(conn.in);
            switch (first.type()) {
                case MessageType.HELLO -> control(conn, first);
                case MessageType.CONNECT -> client(conn, first);
                case MessageType.DATA -> handedOver = data(conn, first);
                case MessageType.PROBE -> probe(conn, first);
                default -> throw new ProtocolException(ErrorCode.UNEXPECTED,
                        MessageType.name(first.type()) + " cannot open a connection");
            }
        } catch (ProtocolException e) {
            if (!e.remote()) {
                protocolErrors.increment();
                conn.fail(e.code(), e.getMessage());
            }
        } catch (IOException e) {
            // the peer went away, or the timer closed the connection at its deadline
        } catch (RuntimeException e) {
            LOG.warn("forwarder connection {} from {} failed", conn.id, conn.remoteText(), e);
        } finally {
            if (!handedOver) {
                conn.close();
            }
        }
    }

    private void control(Conn conn, Frame hello) throws IOException {
        Payload.Reader r = hello.reader();
        r.string(SOFTWARE_MAX);
        r.end();
        if (servers.size() >= settings.maxServers()) {
            registrationsRejected.increment();
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
            registrationsRejected.increment();
            throw e;
        }
        ServerSession session = new ServerSession(key, conn, clock.instant());
        ServerSession old;
        synchronized (registration) {
            if (!servers.containsKey(key) && servers.size() >= settings.maxServers()) {
                registrationsRejected.increment();
                throw new ProtocolException(ErrorCode.LIMIT, "this forwarder holds its maximum of "
                        + settings.maxServers() + " servers");
            }
            old = servers.put(key, session);
        }
        if (old != null) {
            old.control.fail(ErrorCode.REPLACED, "the key registered again from " + conn.remoteText());
        }
        registrations.increment();
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
                    case MessageType.DECLINE -> decline(session, f);
                    case MessageType.ERROR -> throw f.asError();
                    default -> throw new ProtocolException(ErrorCode.UNEXPECTED,
                            MessageType.name(f.type()) + " on a control connection");
                }
            }
        } finally {
            servers.remove(key, session);
            session.failPending("the server of " + key + " went away");
            if (conn.timedOut) {
                heartbeatsMissed.increment();
            }
        }
    }

    private void decline(ServerSession session, Frame f) throws ProtocolException {
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

    private void client(Conn conn, Frame connect) throws IOException {
        Payload.Reader r = connect.reader();
        String key = r.string(256);
        r.end();
        ServerSession server = servers.get(key);
        if (server == null) {
            clientsRejected.increment();
            throw new ProtocolException(ErrorCode.UNKNOWN_KEY, "no server is registered under " + key);
        }
        if (server.relays() >= settings.maxRelaysPerKey()) {
            clientsRejected.increment();
            throw new ProtocolException(ErrorCode.LIMIT, key + " has its maximum of "
                    + settings.maxRelaysPerKey() + " relays");
        }
        if (!server.tryAddPending(settings.maxPendingPerKey())) {
            clientsRejected.increment();
            throw new ProtocolException(ErrorCode.LIMIT, key + " has its maximum of "
                    + settings.maxPendingPerKey() + " pending clients");
        }
        Conn data = awaitData(conn, server);
        if (!server.tryAddRelay(settings.maxRelaysPerKey())) {
            clientsRejected.increment();
            data.fail(ErrorCode.LIMIT, "too many relays");
            throw new ProtocolException(ErrorCode.LIMIT, key + " has its maximum of "
                    + settings.maxRelaysPerKey() + " relays");
        }
        clientsAccepted.increment();
        try {
            relay(server, conn, data);
        } finally {
            server.relayEnded();
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
                    clientsRejected.increment();
                    timeouts.increment();
                    throw new ProtocolException(ErrorCode.SERVER_TIMEOUT, "the server's data connection did not"
                            + " arrive within " + wait.toSeconds() + " s");
                }
                return p.future.join();
            } catch (ExecutionException e) {
                clientsRejected.increment();
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

    private boolean data(Conn conn, Frame dataFrame) throws IOException {
        Payload.Reader r = dataFrame.reader();
        String token = HexFormat.of().formatHex(r.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES));
        r.end();
        Pending p = tokens.remove(token);
        if (p == null || !p.future.complete(conn)) {
            throw new ProtocolException(ErrorCode.BAD_TOKEN, "unknown, used or expired token");
        }
        // the waiting client's thread owns the connection from here; until it starts the relay the data timeout
        // bounds it
        conn.deadlineIn(settings.dataTimeout());
        return true;
    }

    private void relay(ServerSession server, Conn client, Conn data) throws IOException {
        Relay relay = new Relay(ids.incrementAndGet(), server.key, client, data, clock.instant());
        relays.put(relay.id, relay);
        relaysOpened.increment();
        try {
            Frame connected = Frame.of(MessageType.CONNECTED);
            client.deadlineIn(settings.relayIdleTimeout());
            data.deadlineIn(settings.relayIdleTimeout());
            client.send(connected);
            data.send(connected);
            Thread back = Thread.ofVirtual().name("natgw-fwd-relay-" + relay.id)
                    .start(() -> pump(data, client, relay.serverToClient));
            pump(client, data, relay.clientToServer);
            back.join(settings.relayIdleTimeout().toMillis() + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            relays.remove(relay.id);
            relaysClosed.increment();
            client.close();
            data.close();
        }
    }

    /**
     * Copies from one side to the other through one bounded buffer until end of stream, which it passes on as a
     * half-close; an error closes both sides. Every chunk moves both deadlines on.
     */
    private void pump(Conn from, Conn to, AtomicLong count) {
        long idle = settings.relayIdleTimeout().toNanos();
        IntConsumer moved = n -> {
            count.addAndGet(n);
            bytesRelayed.add(n);
            from.deadlineInNanos(idle);
            to.deadlineInNanos(idle);
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
     * {@link #SHRINK_AFTER} reads that would have fit the small one. So idle relays cost little memory and busy ones
     * move large chunks.
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

    private void probe(Conn conn, Frame probe) throws IOException {
        Payload.Reader r = probe.reader();
        String host = r.string(64);
        int port = r.u16();
        r.end();
        if (port == 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, "port 0");
        }
        InetAddress target = conn.source;
        if (!host.isEmpty() && !sameAddress(host, target)) {
            throw new ProtocolException(ErrorCode.PROBE_REFUSED, "the probe's host must be this connection's"
                    + " source address " + target.getHostAddress() + ", was " + host);
        }
        if (!probes.tryAcquire()) {
            throw new ProtocolException(ErrorCode.LIMIT, "too many probes at once");
        }
        probesMade.increment();
        String address = (target.getHostAddress().contains(":")
                ? "[" + target.getHostAddress() + "]"
                : target.getHostAddress()) + ":" + port;
        byte[] nonce = Keys.nonce();
        boolean reachable;
        String detail;
        int millis = (int) settings.probeTimeout().toMillis();
        conn.deadlineIn(settings.probeTimeout().plusSeconds(2));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(target, port), millis);
            s.setSoTimeout(millis);
            new Payload.Writer().bytes(nonce).frame(MessageType.PROBE_HELLO).write(s.getOutputStream());
            s.shutdownOutput();
            // give the listener (a bounded) time to read the frame and close before the result is sent
            try {
                s.getInputStream().read();
            } catch (IOException slow) {
                // the frame was written; a slow listener still got it
            }
            reachable = true;
            detail = "connected and sent the nonce";
        } catch (IOException e) {
            reachable = false;
            detail = e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            probes.release();
        }
        conn.send(new Payload.Writer().u8(reachable ? 1 : 0).string(address).bytes(reachable ? nonce : new byte[0])
                .string(detail.length() > 200 ? detail.substring(0, 200) : detail).frame(MessageType.PROBE_RESULT));
    }

    private static boolean sameAddress(String host, InetAddress source) {
        boolean literal = host.chars().allMatch(c -> c == '.' || c == ':' || Character.digit(c, 16) >= 0);
        if (!literal) {
            return false;
        }
        try {
            return InetAddress.getByName(host).equals(source);
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // refused anyway
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- observation

    public ForwarderInfo info() {
        return new ForwarderInfo(state, boundAddress(), settings.tls(), announcedAs, since);
    }

    public List<RegisteredServer> servers() {
        List<RegisteredServer> out = new ArrayList<>();
        for (ServerSession s : servers.values()) {
            out.add(s.snapshot());
        }
        out.sort(Comparator.comparing(RegisteredServer::key));
        return out;
    }

    public List<RelaySession> sessions(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return relays.values().stream().sorted(Comparator.comparingLong((Relay r) -> r.id).reversed()).limit(limit)
                .map(Relay::snapshot).toList();
    }

    public ForwarderCounters counters() {
        return new ForwarderCounters(registrations.sum(), registrationsRejected.sum(), clientsAccepted.sum(),
                clientsRejected.sum(), relaysOpened.sum(), relaysClosed.sum(), bytesRelayed.sum(), probesMade.sum(),
                heartbeatsMissed.sum());
    }

    public ForwarderLoad load() {
        return new ForwarderLoad(Math.max(0, open.get()), settings.maxConnections(), servers.size(),
                settings.maxServers(), tokens.size(), relays.size(), refused.sum(), protocolErrors.sum(),
                timeouts.sum());
    }
}
