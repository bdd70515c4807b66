package dev.natgw.traversal;

import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A server published under its identity's key; {@link #accept()} yields ordinary sockets from its clients.
 *
 * <p>
 * On {@link #open}, unless {@link TraversalOptions#direct()} is off, it listens on a local port and asks a forwarder
 * to probe it (docs/protocol.md, section 6): if the forwarder's nonce arrives at the listener, the server is
 * reachable, announces {@code tcp://address} and accepts directly. Otherwise it registers with a forwarder (picked
 * from the registry's {@code natgw/forwarders}, shuffled, the next one on failure), announces {@code natgw://…} under
 * its key, keeps the control connection alive with heartbeats and opens a data connection for each client the
 * forwarder pushes. When the forwarder dies (connection closed, or silent for its idle timeout) it registers with
 * another, waiting {@link TraversalOptions#backoffMin()} after a lost session and doubling, up to
 * {@link TraversalOptions#backoffMax()}, while attempts fail.
 *
 * <p>
 * Every {@link TraversalOptions#reprobeInterval()} it probes again (unless {@code direct} is off): a direct server
 * asks a forwarder to probe its live listener; if the probe no longer reaches it, it stops listening, withdraws
 * {@code tcp://…} and registers with a forwarder; if it reaches it at another address, it announces the new one. A
 * forwarded server probes a fresh listener and, once reachable, listens directly and leaves its forwarder. While a
 * probe of the live listener is under way, connections that arrive are read for at most {@link #PROBE_READ} to tell
 * the forwarder's probe from clients; a client's bytes read then are given back to the application unchanged.
 *
 * <p>
 * Threads: one virtual thread runs the publication (direct or through a forwarder), plus, when direct, one accepting
 * and, when forwarded, one for heartbeats, one re-probing and one per data connection being opened (at most
 * {@link TraversalOptions#backlog()} at once; more are declined). Accepted sockets wait in one bounded queue
 * ({@link TraversalOptions#backlog()}); when it is full a direct listener stops accepting (the kernel's backlog holds
 * the rest) and a forwarder's clients are declined. Thread-safe.
 */
public final class TraversalServer implements Closeable {
    private static final System.Logger LOG = System.getLogger(TraversalServer.class.getName());
    private static final String FORWARDERS_KEY = "natgw/forwarders";
    private static final Duration PROBE_WAIT = Duration.ofSeconds(8);
    /** How long a connection arriving during a re-probe of the live listener may take to show it is the probe. */
    static final Duration PROBE_READ = Duration.ofSeconds(1);
    /** PROBE_HELLO as it starts on the wire: the frame header and the nonce's length. */
    private static final byte[] PROBE_HELLO_HEAD = Arrays.copyOf(new Payload.Writer().bytes(new byte[Keys.NONCE_BYTES])
            .frame(MessageType.PROBE_HELLO).encode(), 8);
    private static final int PROBE_HELLO_LENGTH = PROBE_HELLO_HEAD.length + Keys.NONCE_BYTES;

    private final Identity identity;
    private final TraversalOptions options;
    private final RegistryClient registry;
    private final BlockingQueue<Socket> accepted;
    /** Bounds the data connections being opened at once, so a flood of INCOMING cannot start unbounded threads. */
    private final Semaphore opening;
    private final AtomicReference<Socket> control = new AtomicReference<>();
    private final AtomicReference<Endpoint> current = new AtomicReference<>();
    private final AtomicLong registrations = new AtomicLong();
    private volatile ServerSocket directListener;
    private volatile Endpoint directEndpoint;
    private volatile String announced;
    private volatile boolean closed;
    private volatile CountDownLatch registered = new CountDownLatch(1);
    /** Set while a re-probe of the live direct listener waits for the forwarder's nonce. */
    private final AtomicReference<AtomicReference<byte[]>> probeWatch = new AtomicReference<>();
    private volatile Thread worker;

    private TraversalServer(Identity identity, TraversalOptions options) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.options = options;
        this.registry = options.registry() == null
                ? null
                : new RegistryClient(options.registry(), options.connectTimeout().plus(options.handshakeTimeout()));
        this.accepted = new ArrayBlockingQueue<>(options.backlog());
        this.opening = new Semaphore(options.backlog());
    }

    /**
     * Publishes the identity's key: directly if the probe says it is reachable, else through a forwarder (in the
     * background; see {@link #awaitRegistered}).
     *
     * @throws IOException if the direct listener cannot be bound
     */
    public static TraversalServer open(Identity identity, TraversalOptions options) throws IOException {
        TraversalServer s = new TraversalServer(identity, options);
        if (options.direct()) {
            s.tryDirect();
        }
        s.worker = Thread.ofVirtual().name("natgw-traversal-publish").start(s::publish);
        return s;
    }

    /** {@return the key this server is published under} */
    public String key() {
        return identity.key();
    }

    /** {@return true if clients reach this server directly, without a forwarder} */
    public boolean direct() {
        return directEndpoint != null;
    }

    /** {@return where clients reach this server now: tcp://… directly, natgw://… a forwarder, or null while none} */
    public Endpoint endpoint() {
        return directEndpoint != null ? directEndpoint : current.get();
    }

    /** {@return how many times this server has registered with a forwarder} */
    public long registrations() {
        return registrations.get();
    }

    /**
     * Waits until the server is registered with a forwarder (at once when direct).
     *
     * @return true if registered within the timeout
     */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            if (direct() || current.get() != null) {
                return true;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            registered.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
        }
        return false;
    }

    /**
     * Waits for the next client.
     *
     * @return a socket connected (directly or through the forwarder) to the client
     * @throws IOException if this server is closed
     */
    public Socket accept() throws IOException {
        while (true) {
            Socket s = accept(Duration.ofSeconds(1));
            if (s != null) {
                return s;
            }
        }
    }

    /**
     * Waits at most timeout for the next client.
     *
     * @return the socket, or null if none came in time
     * @throws IOException if this server is closed
     */
    public Socket accept(Duration timeout) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        try {
            Socket s = accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (s == null && closed) {
                throw new IOException("closed");
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Withdraws the announcement and closes the listener, the control connection and clients not yet accepted. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        quietly(control.get());
        ServerSocket d = directListener;
        if (d != null) {
            try {
                d.close();
            } catch (IOException e) {
                // closing
            }
        }
        Thread w = worker;
        if (w != null) {
            w.interrupt();
        }
        withdrawAnnouncement();
        Socket s;
        while ((s = accepted.poll()) != null) {
            quietly(s);
        }
    }

    // ---- direct

    private boolean tryDirect() throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(options.directBind(), 128);
        List<Endpoint> forwarders = forwarders();
        for (Endpoint f : forwarders.subList(0, Math.min(3, forwarders.size()))) {
            AtomicReference<byte[]> heard = new AtomicReference<>();
            Thread listener = Thread.ofVirtual().start(() -> heardNonce(ss, heard));
            try {
                Wire.ProbeResult result = Wire.probe(f, ss.getLocalPort(), options);
                if (result.reachable()) {
                    // the forwarder answers after the listener closed its connection: the nonce is in or arriving
                    listener.join(PROBE_WAIT.toMillis());
                }
                byte[] got = heard.get();
                if (result.reachable() && got != null && Arrays.equals(got, result.nonce())) {
                    directListener = ss;
                    directEndpoint = Endpoint.parse(Endpoint.DIRECT + "://" + result.address());
                    LOG.log(Level.INFO, key() + " is reachable directly at " + directEndpoint);
                    return true;
                }
                LOG.log(Level.INFO, key() + " is not reachable directly (" + result.detail() + ")");
                break;
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "probe through " + f + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                listener.interrupt();
            }
        }
        ss.close();
        return false;
    }

    /** Accepts on the listener until a PROBE_HELLO arrives or PROBE_WAIT passes; keeps its nonce. */
    private static void heardNonce(ServerSocket ss, AtomicReference<byte[]> heard) {
        long end = System.nanoTime() + PROBE_WAIT.toNanos();
        try {
            while (heard.get() == null) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                ss.setSoTimeout((int) left);
                try (Socket s = ss.accept()) {
                    s.setSoTimeout(2000);
                    Frame f = Frame.read(s.getInputStream());
                    if (f.type() == MessageType.PROBE_HELLO) {
                        Payload.Reader r = f.reader();
                        byte[] nonce = r.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES);
                        r.end();
                        heard.set(nonce);
                    }
                } catch (IOException e) {
                    // not the forwarder, or too slow: keep listening until the deadline
                }
            }
        } catch (IOException e) {
            // listener closed
        }
    }

    /** Runs the publication until closed: direct while reachable, through a forwarder while not. */
    private void publish() {
        while (!closed) {
            // an interrupt that ended the last phase must not end the next one
            Thread.interrupted();
            if (directListener != null) {
                directPhase();
            } else {
                forwardedPhase();
            }
        }
    }

    /** Announces tcp://…, accepts into the queue and re-probes, until closed or no longer reachable. */
    private void directPhase() {
        ServerSocket ss = directListener;
        Thread acceptor = Thread.ofVirtual().name("natgw-traversal-accept").start(() -> acceptDirect(ss));
        try {
            replaceAnnouncement(directEndpoint.toString());
            long announceEvery = options.announceTtl().dividedBy(3).toNanos();
            long probeEvery = options.reprobeInterval().toNanos();
            long nextAnnounce = System.nanoTime() + announceEvery;
            long nextProbe = System.nanoTime() + probeEvery;
            while (!closed) {
                long now = System.nanoTime();
                long wait = Math.min(nextAnnounce, nextProbe) - now;
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                    continue;
                }
                if (nextAnnounce - now <= 0) {
                    announce(directEndpoint.toString());
                    nextAnnounce = now + announceEvery;
                }
                if (nextProbe - now <= 0) {
                    if (reprobe(ss) == Reachability.UNREACHABLE) {
                        return;
                    }
                    nextProbe = System.nanoTime() + probeEvery;
                }
            }
        } catch (InterruptedException e) {
            // closed
        } finally {
            acceptor.interrupt();
            directEndpoint = null;
            directListener = null;
            try {
                ss.close();
            } catch (IOException e) {
                // closing
            }
            if (!closed) {
                // clients must not keep trying an address that no longer reaches this server
                withdrawAnnouncement();
            }
        }
    }

    /** Accepts on the direct listener into the queue, sorting out the forwarder's probe while one is under way. */
    private void acceptDirect(ServerSocket ss) {
        while (!closed && !ss.isClosed()) {
            Socket s;
            try {
                s = ss.accept();
                s.setTcpNoDelay(true);
            } catch (IOException e) {
                return;
            }
            AtomicReference<byte[]> watch = probeWatch.get();
            if (watch != null) {
                Thread.ofVirtual().name("natgw-traversal-sort").start(() -> sortOut(s, watch));
            } else if (!enqueue(s)) {
                return;
            }
        }
    }

    /** Waits for room in the queue (the kernel's backlog holds later clients meanwhile); false if interrupted. */
    private boolean enqueue(Socket s) {
        try {
            accepted.put(s);
            if (closed) {
                quietly(s);
            }
            return true;
        } catch (InterruptedException e) {
            quietly(s);
            return false;
        }
    }

    /**
     * Reads the start of a connection that arrived during a re-probe: the forwarder's PROBE_HELLO gives its nonce
     * to the watch and is closed; anything else goes to the application with the bytes read given back.
     */
    private void sortOut(Socket s, AtomicReference<byte[]> watch) {
        byte[] head = new byte[PROBE_HELLO_LENGTH];
        int n = 0;
        try {
            s.setSoTimeout((int) PROBE_READ.toMillis());
            InputStream in = s.getInputStream();
            while (n < head.length && Arrays.equals(head, 0, Math.min(n, PROBE_HELLO_HEAD.length), PROBE_HELLO_HEAD,
                    0, Math.min(n, PROBE_HELLO_HEAD.length))) {
                int r;
                try {
                    r = in.read(head, n, head.length - n);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (r < 0) {
                    break;
                }
                n += r;
            }
            if (n == head.length && Arrays.equals(head, 0, PROBE_HELLO_HEAD.length, PROBE_HELLO_HEAD, 0,
                    PROBE_HELLO_HEAD.length)) {
                watch.set(Arrays.copyOfRange(head, PROBE_HELLO_HEAD.length, head.length));
                quietly(s);
                return;
            }
            s.setSoTimeout(0);
            enqueue(n == 0 ? s : new ReplaySocket(s, Arrays.copyOf(head, n)));
        } catch (IOException e) {
            quietly(s);
        }
    }

    private enum Reachability {
        REACHABLE, UNREACHABLE, UNKNOWN
    }

    /**
     * Asks a forwarder to probe the live listener. Unreachable only on a forwarder's answer (it could not connect, or
     * whatever it reached did not hear its nonce); no forwarder answering decides nothing.
     */
    private Reachability reprobe(ServerSocket ss) {
        List<Endpoint> forwarders = forwarders();
        for (Endpoint f : forwarders.subList(0, Math.min(3, forwarders.size()))) {
            AtomicReference<byte[]> heard = new AtomicReference<>();
            probeWatch.set(heard);
            try {
                Wire.ProbeResult result = Wire.probe(f, ss.getLocalPort(), options);
                if (!result.reachable() || !Arrays.equals(heard.get(), result.nonce())) {
                    LOG.log(Level.INFO, key() + " is no longer reachable directly at " + directEndpoint + " ("
                            + result.detail() + "): moving to a forwarder");
                    return Reachability.UNREACHABLE;
                }
                Endpoint seen = Endpoint.parse(Endpoint.DIRECT + "://" + result.address());
                if (!seen.equals(directEndpoint)) {
                    LOG.log(Level.INFO, key() + " is now reachable directly at " + seen + ", was " + directEndpoint);
                    directEndpoint = seen;
                    replaceAnnouncement(seen.toString());
                }
                return Reachability.REACHABLE;
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "re-probe through " + f + " failed: " + e.getMessage());
            } finally {
                probeWatch.set(null);
            }
        }
        return Reachability.UNKNOWN;
    }

    // ---- forwarded

    private List<Endpoint> forwarders() {
        List<Endpoint> out = new ArrayList<>(options.forwarders());
        if (out.isEmpty() && registry != null) {
            try {
                for (String v : registry.lookup(FORWARDERS_KEY, 100)) {
                    try {
                        out.add(Endpoint.parse(v));
                    } catch (IllegalArgumentException e) {
                        LOG.log(Level.DEBUG, "ignoring forwarder " + v + ": " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot list forwarders: " + e.getMessage());
            }
        }
        Collections.shuffle(out);
        return out;
    }

    /** Registers with forwarders until closed or, re-probing meanwhile, reachable directly again. */
    private void forwardedPhase() {
        Thread publisher = Thread.currentThread();
        Thread reprober = !options.direct() ? null : Thread.ofVirtual().name("natgw-traversal-reprobe").start(() -> {
            try {
                while (!closed) {
                    Thread.sleep(options.reprobeInterval());
                    if (tryDirect()) {
                        // end the session (or the backoff) so that the publisher turns direct
                        quietly(control.get());
                        publisher.interrupt();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // the phase ended
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot listen directly at " + options.directBind() + ": " + e.getMessage());
            }
        });
        try {
            controlLoop();
        } finally {
            if (reprober != null) {
                reprober.interrupt();
                try {
                    reprober.join();
                } catch (InterruptedException e) {
                    // the reprober ends on its own at its next step
                }
            }
        }
    }

    private void controlLoop() {
        int failures = 0;
        while (!closed && directListener == null) {
            List<Endpoint> candidates = forwarders();
            if (candidates.isEmpty()) {
                failures++;
            }
            for (Endpoint f : candidates) {
                if (closed || directListener != null) {
                    return;
                }
                long before = registrations.get();
                try {
                    session(f);
                } catch (IOException e) {
                    if (!closed) {
                        LOG.log(Level.INFO, "forwarder " + f + ": " + e.getMessage());
                    }
                } finally {
                    current.set(null);
                    registered = new CountDownLatch(1);
                }
                failures = registrations.get() > before ? 0 : failures + 1;
                if (!backoff(failures)) {
                    return;
                }
            }
            if (candidates.isEmpty() && !backoff(failures)) {
                return;
            }
        }
    }

    /** Sleeps the backoff for this many failures in a row, with jitter; false if interrupted or closed. */
    private boolean backoff(int failures) {
        long min = options.backoffMin().toMillis();
        long max = options.backoffMax().toMillis();
        long wait = Math.min(max, min << Math.min(20, Math.max(0, failures - 1)));
        wait = wait / 2 + ThreadLocalRandom.current().nextLong(wait / 2 + 1);
        try {
            Thread.sleep(wait);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** One registration with a forwarder, until its control connection ends. */
    private void session(Endpoint f) throws IOException {
        Socket s = Wire.open(f, options);
        control.set(s);
        if (closed) {
            quietly(s);
            return;
        }
        Thread heartbeat = null;
        try {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            new Payload.Writer().string("natgw-traversal").frame(MessageType.HELLO).write(out);
            Payload.Reader c = Frame.read(in).expect(MessageType.CHALLENGE).reader();
            byte[] nonce = c.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES);
            long heartbeatMillis = Math.max(100, c.u32());
            long idleMillis = Math.max(heartbeatMillis + 100, c.u32());
            c.end();
            new Payload.Writer().bytes(identity.publicKey().getEncoded())
                    .bytes(identity.sign(Keys.registerChallenge(nonce))).frame(MessageType.REGISTER).write(out);
            Payload.Reader r = Frame.read(in).expect(MessageType.REGISTERED).reader();
            String key = r.string(256);
            r.end();
            if (!key.equals(identity.key())) {
                throw new ProtocolException(ErrorCode.UNEXPECTED, "forwarder registered " + key);
            }
            s.setSoTimeout((int) idleMillis);
            registrations.incrementAndGet();
            current.set(f);
            registered.countDown();
            replaceAnnouncement(f.toString());
            heartbeat = Thread.ofVirtual().name("natgw-traversal-heartbeat").start(() -> heartbeats(s, f,
                    heartbeatMillis));
            while (!closed) {
                Frame frame = Frame.read(in);
                switch (frame.type()) {
                    case MessageType.PING -> {
                        Payload.Reader p = frame.reader();
                        long seq = p.u64();
                        p.end();
                        send(s, new Payload.Writer().u64(seq).frame(MessageType.PONG));
                    }
                    case MessageType.PONG -> {
                        // alive; the read timeout covers silence
                    }
                    case MessageType.INCOMING -> {
                        Payload.Reader p = frame.reader();
                        byte[] token = p.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES);
                        p.string(256);
                        p.end();
                        Thread.ofVirtual().name("natgw-traversal-data").start(() -> openData(s, f, token));
                    }
                    case MessageType.ERROR -> throw frame.asError();
                    default -> throw new ProtocolException(ErrorCode.UNEXPECTED, MessageType.name(frame.type()));
                }
            }
        } finally {
            if (heartbeat != null) {
                heartbeat.interrupt();
            }
            quietly(s);
            control.compareAndSet(s, null);
        }
    }

    private void heartbeats(Socket s, Endpoint f, long heartbeatMillis) {
        long seq = 0;
        long reannounce = options.announceTtl().toMillis() / 3;
        long sinceAnnounce = 0;
        try {
            while (!closed && !s.isClosed()) {
                Thread.sleep(heartbeatMillis / 2);
                send(s, new Payload.Writer().u64(++seq).frame(MessageType.PING));
                sinceAnnounce += heartbeatMillis / 2;
                if (sinceAnnounce >= reannounce) {
                    sinceAnnounce = 0;
                    announce(f.toString());
                }
            }
        } catch (InterruptedException | IOException e) {
            // the session ends; the control loop takes over
        }
    }

    private void openData(Socket controlSocket, Endpoint f, byte[] token) {
        if (!opening.tryAcquire()) {
            decline(controlSocket, token, "too many data connections being opened");
            return;
        }
        try {
            openDataBounded(controlSocket, f, token);
        } finally {
            opening.release();
        }
    }

    private static void decline(Socket controlSocket, byte[] token, String reason) {
        try {
            send(controlSocket, new Payload.Writer().bytes(token).string(reason).frame(MessageType.DECLINE));
        } catch (IOException e) {
            // the session ends
        }
    }

    private void openDataBounded(Socket controlSocket, Endpoint f, byte[] token) {
        if (accepted.remainingCapacity() == 0) {
            decline(controlSocket, token, "backlog full");
            return;
        }
        try {
            Socket data = Wire.data(f, token, options);
            if (closed || !accepted.offer(data)) {
                quietly(data);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "data connection to " + f + " failed: " + e.getMessage());
        }
    }

    private static void send(Socket s, Frame f) throws IOException {
        byte[] bytes = f.encode();
        OutputStream out = s.getOutputStream();
        synchronized (s) {
            out.write(bytes);
            out.flush();
        }
    }

    /** Announces value and withdraws what was announced before, if something else. */
    private void replaceAnnouncement(String value) {
        String previous = announced;
        announce(value);
        if (previous != null && !previous.equals(value) && registry != null) {
            try {
                registry.withdraw(identity, previous);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "withdraw of " + previous + " failed: " + e.getMessage());
            }
        }
    }

    private void withdrawAnnouncement() {
        String a = announced;
        announced = null;
        if (registry != null && a != null) {
            try {
                registry.withdraw(identity, a);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "withdraw of " + a + " failed: " + e.getMessage());
            }
        }
    }

    private void announce(String value) {
        // kept before the attempt: a failed or interrupted announcement may still have reached the registry, and
        // what replaces or closes it must withdraw it
        announced = value;
        if (registry == null) {
            return;
        }
        try {
            registry.announce(identity, value, options.announceTtl());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot announce " + key() + " -> " + value + ": " + e.getMessage());
        }
    }

    private static void quietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
    }
}
