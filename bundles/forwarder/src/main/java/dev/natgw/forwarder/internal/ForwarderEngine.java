package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.AllowedKey;
import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderLoad;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.api.forwarder.RelaySession;
import dev.natgw.api.forwarder.TenantStatus;
import dev.natgw.api.registry.Registry;
import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * The engine owns the lifecycle and sends each connection, by its first frame, to one of its parts:
 * {@link Admission} (accept, limits by source prefix, deadlines), {@link Gatekeeper} (who may register, tenant
 * quotas), {@link Announcement} (the registry entry),
 * {@link ControlSessions} (servers' registrations), {@link Rendezvous} (a client meets its server's data
 * connection), {@link Splicer} (the relay) and {@link ReachabilityProbe}.
 *
 * <p>
 * Thread-safe; {@link #start} once, {@link #close} once.
 */
public final class ForwarderEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForwarderEngine.class);
    private static final long REAP_MILLIS = 200;

    private final ForwarderSettings settings;
    private final ForwarderTls tls;
    private final Clock clock;
    private final EngineCounters counters = new EngineCounters();
    private final Admission admission;
    private final Announcement announcement;
    private final ControlSessions control;
    private final Rendezvous rendezvous;
    private final Parking parking;
    private final Splicer splicer;
    private final ReachabilityProbe probe;
    private final Gatekeeper gate;

    private volatile ServerSocket listener;
    private volatile Thread acceptor;
    private volatile ScheduledExecutorService timer;
    private volatile ForwarderState state = ForwarderState.STOPPED;
    private volatile Instant since;

    /**
     * @param settings the checked configuration
     * @param tls the TLS context and certificate when settings say TLS, else null
     * @param registry where to announce, or null not to
     */
    public ForwarderEngine(ForwarderSettings settings, ForwarderTls tls, Registry registry, Clock clock) {
        this(settings, AdmissionSettings.open(settings), new Credentials(null, clock), tls, registry, clock);
    }

    /**
     * @param settings the checked configuration
     * @param admission who may register, and the limits by prefix
     * @param credentials the tenants and allow-listed keys, shared by the engines of one forwarder
     * @param tls the TLS context and certificate when settings say TLS, else null
     * @param registry where to announce, or null not to
     */
    public ForwarderEngine(ForwarderSettings settings, AdmissionSettings admission, Credentials credentials,
            ForwarderTls tls, Registry registry, Clock clock) {
        if (settings.tls() && tls == null) {
            throw new IllegalArgumentException("the settings say TLS but no TLS context was given");
        }
        this.settings = settings;
        this.tls = settings.tls() ? tls : null;
        this.clock = clock;
        // connections and relays draw their ids from one sequence
        AtomicLong ids = new AtomicLong();
        ConcurrentHashMap<String, ServerSession> servers = new ConcurrentHashMap<>();
        this.admission = new Admission(settings, admission, ids, counters, this::handle);
        this.gate = new Gatekeeper(admission, settings.maxServers(), settings.maxConnections(), credentials);
        this.announcement = new Announcement(settings, registry, this::boundAddress, this.tls == null
                ? null
                : this.tls.fingerprint());
        this.splicer = new Splicer(settings, clock, ids, counters);
        this.parking = new Parking(settings, servers);
        this.rendezvous = new Rendezvous(settings, counters, servers, splicer, gate, parking);
        this.control = new ControlSessions(settings, clock, counters, servers, rendezvous, gate, new ServerSlots(
                settings.maxServers(), admission.renewalWindow()));
        this.probe = new ReachabilityProbe(settings, counters);
        this.since = clock.instant();
    }

    /** Binds the port, starts accepting, starts the timer and announces. */
    // the timer's tasks catch their own failures (a thrown one would end the schedule) and the timer stops with the
    // engine, so their futures are not needed
    @SuppressWarnings("FutureReturnValueIgnored")
    public synchronized void start() throws IOException {
        setState(ForwarderState.STARTING);
        ServerSocket ss;
        try {
            // plain TCP through a channel, so relays can copy between the sockets' channels with a direct buffer
            ss = tls != null
                    ? tls.context().getServerSocketFactory().createServerSocket()
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
        t.scheduleWithFixedDelay(admission::reap, REAP_MILLIS, REAP_MILLIS, TimeUnit.MILLISECONDS);
        t.scheduleWithFixedDelay(() -> gate.sweep(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
        gate.start();
        if (announcement.enabled()) {
            long every = Math.max(1, settings.announceTtl().toMillis() / 3);
            t.scheduleAtFixedRate(announcement::renew, 0, every, TimeUnit.MILLISECONDS);
        }
        acceptor = Thread.ofPlatform().name("natgw-forwarder-accept").daemon(true).start(() -> admission
                .acceptLoop(ss));
        setState(ForwarderState.LISTENING);
    }

    /** {@return how plain relays move bulk data, for the log: splice with its bound, or copy and why} */
    public String relayPath() {
        if (tls != null) {
            return "copy (TLS)";
        }
        if (splicer.splicing()) {
            return "splice, up to " + settings.relaySpliceMax() + " directions at once";
        }
        return settings.relaySpliceMax() == 0
                ? "copy (relay.splice.max = 0)"
                : "copy (splice unavailable: " + LinuxCalls.UNAVAILABLE + ")";
    }

    /** {@return the relay part, for this package's tests} */
    Splicer splicer() {
        return splicer;
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
        gate.stop();
        announcement.withdraw();
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
        admission.finishAll();
        setState(ForwarderState.STOPPED);
    }

    private void setState(ForwarderState s) {
        state = s;
        since = clock.instant();
    }

    /** Runs an admitted connection on its own virtual thread: its first frame says what it is. */
    private void handle(Conn conn) {
        boolean handedOver = false;
        try {
            Frame first = Frame.read(conn.in);
            switch (first.type()) {
                case MessageType.HELLO -> control.run(conn, first);
                case MessageType.CONNECT -> rendezvous.client(conn, first);
                case MessageType.DATA -> handedOver = rendezvous.data(conn, first);
                case MessageType.PARK -> handedOver = parking.park(conn, first);
                case MessageType.PROBE -> probe.probe(conn, first);
                case MessageType.OBSERVE -> probe.observe(conn, first);
                default -> throw new ProtocolException(ErrorCode.UNEXPECTED,
                        MessageType.name(first.type()) + " cannot open a connection");
            }
        } catch (ProtocolException e) {
            if (!e.remote()) {
                counters.protocolErrors.increment();
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

    // ---- observation

    public ForwarderInfo info() {
        return new ForwarderInfo(state, boundAddress(), settings.tls(), announcement.announcedAs(), since,
                tls == null ? null : tls.fingerprint());
    }

    public List<RegisteredServer> servers() {
        return control.servers();
    }

    public List<RelaySession> sessions(int limit) {
        return splicer.sessions(limit);
    }

    public List<TenantStatus> tenants() {
        return gate.tenants();
    }

    public List<AllowedKey> allowed() {
        return gate.allowed(control.keys());
    }

    public ForwarderCounters counters() {
        return counters.snapshot();
    }

    public ForwarderLoad load() {
        return new ForwarderLoad(admission.open(), settings.maxConnections(), control.count(), settings.maxServers(),
                rendezvous.waiting(), splicer.count(), counters.refused.sum(), counters.protocolErrors.sum(),
                counters.timeouts.sum());
    }
}
