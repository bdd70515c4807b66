package dev.natgw.traversal;

import static dev.natgw.traversal.Publication.quietly;

import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import dev.natgw.traversal.protocol.TenantCredential;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Forwarded publishing, the other of a {@link TraversalServer}'s two state machines: register with up to
 * {@link TraversalOptions#forwardersAtOnce()} forwarders at once (docs/protocol.md, section 4), announce one signed
 * {@code natgw://…} value per forwarder under the key, keep each control connection alive with heartbeats and open a
 * data connection for each client a forwarder pushes (section 5), until closed or, re-probing meanwhile through
 * {@link DirectPublishing#tryDirect}, reachable directly again.
 *
 * <p>
 * Each of the {@code forwardersAtOnce} slots runs its own control loop (slot 0 on the publishing thread, the others on
 * threads of their own): it takes the forwarders in the shuffled order {@link Publication#forwarders()} gives, skips
 * those another slot holds, and registers with the first that takes it; a slot with no forwarder left to take waits
 * and looks again. Slots are independent: when one's forwarder dies, its value is withdrawn and it tries again, waiting
 * {@link TraversalOptions#backoffMin()} after the lost session and doubling with jitter up to
 * {@link TraversalOptions#backoffMax()} while attempts fail, while the other slots keep serving clients. At most
 * {@link TraversalOptions#backlog()} data connections are opened at once, all slots together, and clients beyond a
 * full queue are declined, so a flood of INCOMING cannot start unbounded threads.
 *
 * <p>
 * Invariants: a slot holds at most one forwarder, and no forwarder (host and port) is held by two slots, so the server
 * is registered with at most {@code forwardersAtOnce} forwarders, each once; a slot's entry in {@link #endpoints()}
 * is set exactly while its registration holds. Thread-safe.
 */
final class ForwardedPublishing {
    private static final System.Logger LOG = System.getLogger(TraversalServer.class.getName());

    /** A parked connection the forwarder closes sooner than this counts as a failure (backed off from). */
    private static final Duration PROMPT_CLOSE = Duration.ofSeconds(1);

    private final Publication p;
    private final DirectPublishing direct;
    /** Bounds the data connections being opened at once, so a flood of INCOMING cannot start unbounded threads. */
    private final Semaphore opening;
    /** Each slot's control connection, while it has one. */
    private final AtomicReferenceArray<Socket> controls;
    /** Each slot's forwarder, set exactly while its registration holds. */
    private final AtomicReferenceArray<Endpoint> current;
    /** The forwarders a slot holds (registering or registered), by host and port, to the slot's index. */
    private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();
    private final AtomicLong registrations = new AtomicLong();
    private volatile CountDownLatch registered = new CountDownLatch(1);
    /** Set when the phase ends, so that no slot starts another session meanwhile. */
    private volatile boolean ending;

    ForwardedPublishing(Publication p, DirectPublishing direct) {
        this.p = p;
        this.direct = direct;
        this.opening = new Semaphore(p.options.backlog());
        this.controls = new AtomicReferenceArray<>(p.options.forwardersAtOnce());
        this.current = new AtomicReferenceArray<>(p.options.forwardersAtOnce());
    }

    /** {@return a forwarder registered with now (the lowest slot's), or null while none} */
    Endpoint current() {
        for (int i = 0; i < current.length(); i++) {
            Endpoint e = current.get(i);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /** {@return every forwarder registered with now, by slot} */
    List<Endpoint> endpoints() {
        List<Endpoint> out = new ArrayList<>(current.length());
        for (int i = 0; i < current.length(); i++) {
            Endpoint e = current.get(i);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    long registrations() {
        return registrations.get();
    }

    /** {@return a latch counted down at the next registration} */
    CountDownLatch registered() {
        return registered;
    }

    /** Closes the control connections, if any: the sessions end. */
    void closeControl() {
        for (int i = 0; i < controls.length(); i++) {
            quietly(controls.get(i));
        }
    }

    /** Registers with forwarders until closed or, re-probing meanwhile, reachable directly again. */
    @SuppressWarnings("ThreadJoinLoop") // an interrupted join need not wait: the others were interrupted too
    void run() {
        ending = false;
        Thread publisher = Thread.currentThread();
        Thread reprober = !p.options.direct()
                ? null
                : Thread.ofVirtual().name("natgw-traversal-reprobe").start(() -> reprobe(publisher));
        List<Thread> slots = new ArrayList<>();
        try {
            for (int i = 1; i < p.options.forwardersAtOnce(); i++) {
                int slot = i;
                slots.add(Thread.ofVirtual().name("natgw-traversal-forwarder-" + slot).start(() -> controlLoop(
                        slot)));
            }
            controlLoop(0);
        } finally {
            // the phase ends for every slot: no new session, the live ones closed, their threads awaited
            ending = true;
            if (reprober != null) {
                slots.add(reprober);
            }
            for (Thread t : slots) {
                t.interrupt();
            }
            closeControl();
            boolean interrupted = false;
            for (Thread t : slots) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    // each ends on its own at its next step; whoever interrupted us still sees it
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Re-probes until reachable directly, then moves make-before-break: announces tcp://… at once (withdrawing the
     * forwarders' values), keeps the sessions serving clients who looked the key up before for
     * {@link Publication#handover()} and until no data connection is being opened, and only then ends them.
     */
    private void reprobe(Thread publisher) {
        try {
            while (!p.closed) {
                Thread.sleep(p.options.reprobeInterval());
                boolean reachable;
                try {
                    reachable = direct.tryDirect();
                } catch (IOException e) {
                    // the port may be taken for now: try again at the next re-probe
                    LOG.log(Level.WARNING, "cannot listen directly at " + p.options.directBind() + ": " + e
                            .getMessage());
                    continue;
                }
                if (reachable) {
                    Endpoint d = direct.endpoint();
                    if (d != null) {
                        p.replaceAnnouncement(d.toString());
                    }
                    Thread.sleep(p.handover());
                    long drain = p.options.connectTimeout().plus(p.options.handshakeTimeout()).toMillis();
                    if (opening.tryAcquire(p.options.backlog(), drain, TimeUnit.MILLISECONDS)) {
                        opening.release(p.options.backlog());
                    }
                    // end the sessions (or the backoffs) so that the publisher turns direct
                    ending = true;
                    closeControl();
                    publisher.interrupt();
                    return;
                }
            }
        } catch (InterruptedException e) {
            // the phase ended
        }
    }

    private boolean active() {
        return !p.closed && !ending && !direct.listening();
    }

    /** One slot's registrations, one forwarder at a time, until the phase ends. */
    private void controlLoop(int slot) {
        int failures = 0;
        while (active()) {
            List<Endpoint> candidates = p.forwarders();
            boolean tried = false;
            for (Endpoint f : candidates) {
                if (!active()) {
                    return;
                }
                String where = f.host().toLowerCase(Locale.ROOT) + ":" + f.port();
                if (held.putIfAbsent(where, slot) != null) {
                    // another slot is registered, or registering, there
                    continue;
                }
                tried = true;
                boolean took;
                try {
                    took = attempt(slot, f);
                } finally {
                    held.remove(where, slot);
                }
                failures = took ? 0 : failures + 1;
                if (!backoff(failures)) {
                    return;
                }
            }
            if (!tried && !backoff(++failures)) {
                return;
            }
        }
    }

    /** {@return true if the forwarder took the registration} One session with it, until its connection ends. */
    private boolean attempt(int slot, Endpoint f) {
        try {
            session(slot, f);
        } catch (ProtocolException e) {
            if (!p.closed) {
                // refused admission needs the operator, a refused proof may mean a forwarder in between:
                // say so louder than a lost connection
                LOG.log(e.code() == ErrorCode.NOT_ADMITTED || e.code() == ErrorCode.BAD_PROOF
                        ? Level.WARNING
                        : Level.INFO, "forwarder " + f + ": " + e.getMessage());
            }
        } catch (IOException e) {
            if (!p.closed) {
                LOG.log(Level.INFO, "forwarder " + f + ": " + e.getMessage());
            }
        } finally {
            controls.set(slot, null);
        }
        boolean took = current.getAndSet(slot, null) != null;
        if (current() == null) {
            registered = new CountDownLatch(1);
        }
        if (took && !p.closed) {
            // clients must not try a forwarder that no longer holds this server (a move to direct withdrew it)
            p.withdrawAnnouncement(f.toString());
        }
        return took;
    }

    /** Sleeps the backoff for this many failures in a row, with jitter; false if interrupted or closed. */
    private boolean backoff(int failures) {
        long min = p.options.backoffMin().toMillis();
        long max = p.options.backoffMax().toMillis();
        long wait = Math.min(max, min << Math.min(20, Math.max(0, failures - 1)));
        wait = wait / 2 + ThreadLocalRandom.current().nextLong(wait / 2 + 1);
        try {
            Thread.sleep(wait);
            return !p.closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** One registration of a slot with a forwarder, until its control connection ends. */
    private void session(int slot, Endpoint f) throws IOException {
        Socket s = Wire.open(f, p.options);
        controls.set(slot, s);
        if (!active()) {
            quietly(s);
            return;
        }
        Thread heartbeat = null;
        List<Thread> keepers = new ArrayList<>();
        Set<Socket> parkedSockets = ConcurrentHashMap.newKeySet();
        try {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            new Payload.Writer().string("natgw-traversal").frame(MessageType.HELLO).write(out);
            Payload.Reader c = Frame.read(in).expect(MessageType.CHALLENGE).reader();
            byte[] nonce = c.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES);
            long heartbeatMillis = Math.max(100, c.u32());
            long idleMillis = Math.max(heartbeatMillis + 100, c.u32());
            c.end();
            byte[] publicKey = p.identity.publicKey().getEncoded();
            // the proof names the forwarder as this side's TLS handshake saw it (section 4): a forwarder that
            // relays it to another gets a proof naming itself, which the other refuses
            Payload.Writer register = new Payload.Writer().bytes(publicKey).bytes(p.identity.sign(Keys
                    .registerProof(nonce, ForwarderIdentity.seen(s))));
            TenantCredential credential = p.options.credential();
            if (credential != null) {
                // docs/protocol.md, section 10: the tenant's name and its signature of the nonce and this key
                register.string(credential.tenant()).bytes(credential.sign(nonce, publicKey));
            }
            register.frame(MessageType.REGISTER).write(out);
            Payload.Reader r = Frame.read(in).expect(MessageType.REGISTERED).reader();
            String key = r.string(256);
            r.end();
            if (!key.equals(p.key())) {
                throw new ProtocolException(ErrorCode.UNEXPECTED, "forwarder registered " + key);
            }
            s.setSoTimeout((int) idleMillis);
            // checked and announced in one step: if the server turned direct (or closes) while this registration was
            // under way, announcing the forwarder would withdraw tcp://…, which the direct phase announced
            if (!p.addAnnouncementIf(this::active, f.toString())) {
                return;
            }
            registrations.incrementAndGet();
            current.set(slot, f);
            registered.countDown();
            // tcp://… is withdrawn: the listener of a direct phase that just ended closes after the handover
            direct.handedOver();
            heartbeat = Thread.ofVirtual().name("natgw-traversal-heartbeat").start(() -> heartbeats(s, f,
                    heartbeatMillis));
            for (int i = 0; i < p.options.dataPool(); i++) {
                keepers.add(Thread.ofVirtual().name("natgw-traversal-parked").start(() -> keepParked(s, f,
                        parkedSockets)));
            }
            while (!p.closed) {
                Frame frame = Frame.read(in);
                switch (frame.type()) {
                    case MessageType.PING -> {
                        Payload.Reader ping = frame.reader();
                        long seq = ping.u64();
                        ping.end();
                        send(s, new Payload.Writer().u64(seq).frame(MessageType.PONG));
                    }
                    case MessageType.PONG -> {
                        // alive; the read timeout covers silence
                    }
                    case MessageType.INCOMING -> {
                        Payload.Reader incoming = frame.reader();
                        byte[] token = incoming.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES);
                        String client = incoming.string(256);
                        incoming.end();
                        Thread.ofVirtual().name("natgw-traversal-data").start(() -> openData(s, f, token, client));
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
            // the forwarder closes the parked connections of a session that ended; close this side's too
            for (Thread t : keepers) {
                t.interrupt();
            }
            for (Socket parked : parkedSockets) {
                quietly(parked);
            }
        }
    }

    /**
     * Keeps one data connection parked at the forwarder (docs/protocol.md, section 5a) while the session lasts: opens
     * it with PARK, signs the forwarder's nonce, waits for PAIRED, answers CONNECTED and hands the connection to the
     * end-to-end handshake on a thread of its own, then parks the next. A forwarder that does not park (older, or
     * {@code max.parked.per.server} 0) answers an ERROR: the session then goes on per client (INCOMING) alone; one at
     * its limit is asked again after a while. One thread and one connection per place in
     * {@link TraversalOptions#dataPool()}.
     */
    private void keepParked(Socket control, Endpoint f, Set<Socket> parkedSockets) {
        int failures = 0;
        while (active() && !control.isClosed() && !Thread.currentThread().isInterrupted()) {
            Socket data = null;
            boolean handed = false;
            long opened = System.nanoTime();
            try {
                data = Wire.open(f, p.options);
                parkedSockets.add(data);
                if (control.isClosed()) {
                    return;
                }
                String client = Wire.park(data, p.key(), p.identity, p.options);
                parkedSockets.remove(data);
                failures = 0;
                handed = true;
                Socket paired = data;
                Thread.ofVirtual().name("natgw-traversal-data").start(() -> {
                    if (!opening.tryAcquire()) {
                        quietly(paired);
                        return;
                    }
                    try {
                        handOver(paired, f, client);
                    } catch (IOException e) {
                        LOG.log(Level.DEBUG, "parked data connection to " + f + " failed: " + e.getMessage());
                    } finally {
                        opening.release();
                    }
                });
            } catch (ProtocolException e) {
                if (e.code() == ErrorCode.UNEXPECTED || e.code() == ErrorCode.UNKNOWN_KEY || e.code() == ErrorCode.LIMIT
                        && e.getMessage().contains("parks no")) {
                    // an older forwarder, one that parks nothing, or a session that is gone: per client from here
                    LOG.log(Level.DEBUG, "forwarder " + f + " parks no data connections of this server: " + e
                            .getMessage());
                    return;
                }
                LOG.log(Level.DEBUG, "parked connection at " + f + ": " + e.getMessage());
                failures++;
            } catch (EOFException e) {
                // idled out at the forwarder: park another at once; a forwarder that closes parked connections at
                // once is backed off from like a failure, so that it cannot make this loop spin
                if (System.nanoTime() - opened < PROMPT_CLOSE.toNanos()) {
                    failures++;
                }
            } catch (IOException e) {
                failures++;
            } finally {
                if (data != null && !handed) {
                    parkedSockets.remove(data);
                    quietly(data);
                }
            }
            if (failures > 0 && !backoff(failures)) {
                return;
            }
        }
    }

    private void heartbeats(Socket s, Endpoint f, long heartbeatMillis) {
        long seq = 0;
        long reannounce = p.options.announceTtl().toMillis() / 3;
        long sinceAnnounce = 0;
        try {
            while (!p.closed && !s.isClosed()) {
                Thread.sleep(heartbeatMillis / 2);
                send(s, new Payload.Writer().u64(++seq).frame(MessageType.PING));
                sinceAnnounce += heartbeatMillis / 2;
                if (sinceAnnounce >= reannounce) {
                    sinceAnnounce = 0;
                    p.renew(f.toString());
                }
            }
        } catch (InterruptedException | IOException e) {
            // the session ends; the control loop takes over
        }
    }

    private void openData(Socket controlSocket, Endpoint f, byte[] token, String client) {
        if (!opening.tryAcquire()) {
            decline(controlSocket, token, "too many data connections being opened");
            return;
        }
        try {
            openDataBounded(controlSocket, f, token, client);
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

    /** Opens the data connection, runs the end-to-end handshake on it (the client's address as INCOMING gave it), queues. */
    private void openDataBounded(Socket controlSocket, Endpoint f, byte[] token, String client) {
        if (p.accepted.remainingCapacity() == 0) {
            decline(controlSocket, token, "backlog full");
            return;
        }
        try {
            handOver(Wire.data(f, token, p.identity, p.options), f, client);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "data connection to " + f + " failed: " + e.getMessage());
        }
    }

    /**
     * Runs the end-to-end handshake on a data connection paired with the client, tries the direct upgrade where both
     * ends want it, and queues it.
     */
    private void handOver(Socket data, Endpoint f, String client) throws IOException {
        if (p.accepted.remainingCapacity() == 0) {
            quietly(data);
            return;
        }
        PeerConnection c = p.handshake(data, client, p.directUpgrade);
        if (c != null && p.directUpgrade && E2e.upgradable(c)) {
            c = DirectUpgrade.server(c, p.e2e(), f, p.options);
        }
        if (c != null && (p.closed || !p.accepted.offer(c))) {
            quietly(c.socket());
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
}
