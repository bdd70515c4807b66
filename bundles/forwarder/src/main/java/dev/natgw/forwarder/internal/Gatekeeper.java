package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.AllowedKey;
import dev.natgw.api.forwarder.TenantQuota;
import dev.natgw.api.forwarder.TenantStatus;
import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.ProtocolException;
import dev.natgw.traversal.protocol.TenantCredential;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which proven keys may register and what they may hold (docs/protocol.md, section 10): a key registers with
 * a tenant credential ({@link TenantCredential}, checked against the tenant's public key), or because it is
 * allow-listed, or because {@code admission.open} is set. On top of that it counts servers by the prefix of their
 * control connection and clients by theirs ({@link PrefixLimits}), and each tenant's servers, relays and relayed bytes
 * against its quota. When the {@link Credentials} change, every registered server whose admission is gone is
 * disconnected with {@code NOT_ADMITTED} (its key is unregistered as its control connection ends).
 *
 * <p>
 * Invariant: every place a {@link Grant} or {@link RelayTicket} takes (prefix, tenant) is given back exactly once.
 * Thread-safe: registrations and relays run on their connections' virtual threads, changes on the caller's.
 */
final class Gatekeeper {

    private static final Logger LOG = LoggerFactory.getLogger(Gatekeeper.class);

    private final AdmissionSettings settings;
    private final Credentials credentials;
    private final PrefixLimits serverPrefixes;
    private final PrefixLimits relayPrefixes;
    private final ConcurrentHashMap<String, Usage> usage = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ServerSession, Grant> grants = new ConcurrentHashMap<>();
    private final Runnable onChange = this::recheck;

    Gatekeeper(AdmissionSettings settings, int maxServers, int maxConnections, Credentials credentials) {
        this.settings = settings;
        this.credentials = credentials;
        this.serverPrefixes = new PrefixLimits(settings.maxServersPerSource(), settings.maxServersPerNetwork(), 0, 0,
                maxServers * 2);
        this.relayPrefixes = new PrefixLimits(settings.maxRelaysPerSource(), settings.maxRelaysPerNetwork(), 0, 0,
                maxConnections * 2);
    }

    /** Starts following changes of the credentials; warns when the forwarder is open. */
    void start() {
        credentials.addListener(onChange);
        if (settings.open()) {
            LOG.warn("natgw forwarder admission is OPEN (admission.open = true): any key can register and relay"
                    + " through this forwarder. Set admission.open = false and issue credentials with"
                    + " fwd:tenant-add or fwd:allow.");
        }
    }

    void stop() {
        credentials.removeListener(onChange);
    }

    /** A tenant's live usage, for the life of the engine and of the tenant's credential. */
    static final class Usage {
        final Credentials.Tenant tenant;
        final AtomicInteger servers = new AtomicInteger();
        final AtomicInteger relays = new AtomicInteger();
        final LongAdder bytes = new LongAdder();
        final LongAdder throttled = new LongAdder();
        final ByteBucket bucket;

        Usage(Credentials.Tenant tenant) {
            this.tenant = tenant;
            long rate = tenant.quota().bytesPerSecond();
            this.bucket = rate > 0 ? new ByteBucket(rate) : null;
        }
    }

    /** What a registration was admitted by; released once, when its session ends or its admission fails. */
    final class Grant {
        final String key;
        final Usage usage;
        final boolean byAllowList;
        final InetAddress source;
        private final AtomicBoolean released = new AtomicBoolean();
        volatile boolean withdrawn;

        Grant(String key, Usage usage, boolean byAllowList, InetAddress source) {
            this.key = key;
            this.usage = usage;
            this.byAllowList = byAllowList;
            this.source = source;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                serverPrefixes.release(source);
                if (usage != null) {
                    usage.servers.decrementAndGet();
                }
            }
        }
    }

    /**
     * Admits a proven key, or refuses it.
     *
     * @param tenant the tenant named in the REGISTER, or null for none
     * @param tenantSignature its signature of the nonce and the server's public key, or null
     * @param replacing whether the key is registered now (the new registration replaces that one)
     * @throws ProtocolException NOT_ADMITTED without an admission; LIMIT past a prefix's or the tenant's servers
     */
    Grant admit(String key, byte[] publicKey, byte[] nonce, String tenant, byte[] tenantSignature,
            InetAddress source, boolean replacing) throws ProtocolException {
        Credentials.State state = credentials.state();
        Usage u = null;
        boolean byList = false;
        if (tenant != null) {
            Credentials.Tenant t = state.tenants().get(tenant);
            if (t == null || !TenantCredential.verify(t.publicKey(), nonce, publicKey, tenantSignature)) {
                throw new ProtocolException(ErrorCode.NOT_ADMITTED, "the tenant credential for \"" + tenant
                        + "\" is not valid on this forwarder (no such tenant, or a removed or wrong credential)");
            }
            u = usage(t);
        } else {
            Credentials.Allowed a = state.allowed().get(key);
            if (a != null) {
                byList = true;
                if (!a.tenant().isEmpty()) {
                    Credentials.Tenant t = state.tenants().get(a.tenant());
                    if (t == null) {
                        throw new ProtocolException(ErrorCode.NOT_ADMITTED, "the tenant of " + key + " is gone");
                    }
                    u = usage(t);
                }
            } else if (!settings.open()) {
                throw new ProtocolException(ErrorCode.NOT_ADMITTED, "this forwarder admits only allow-listed keys"
                        + " and servers with a tenant credential; ask its operator for one (fwd:allow "
                        + key + ", or fwd:tenant-add)");
            }
        }
        PrefixLimits.Verdict v = serverPrefixes.acquire(source, System.nanoTime());
        if (v != PrefixLimits.Verdict.OK) {
            throw new ProtocolException(ErrorCode.LIMIT, "too many servers registered from "
                    + Prefix.narrow(source) + " or " + Prefix.wide(source));
        }
        if (u != null) {
            int max = u.tenant.quota().servers();
            // a replacing registration may pass the quota for the moment its old session takes to be closed
            if (replacing) {
                u.servers.incrementAndGet();
            } else if (!ServerSession.reserve(u.servers, max)) {
                serverPrefixes.release(source);
                throw new ProtocolException(ErrorCode.LIMIT, "tenant " + u.tenant.name()
                        + " has its maximum of " + max + " servers");
            }
        }
        return new Grant(key, u, byList, source);
    }

    /** Binds a grant to its registered session, before the session can be found by clients. */
    void bind(ServerSession session, Grant grant) {
        grants.put(session, grant);
        if (!stillAdmitted(grant, credentials.state())) {
            // the credentials changed between the check and now
            withdraw(session, grant);
        }
    }

    /**
     * Gives back a session's places.
     *
     * @return whether its admission was withdrawn (its place is then not kept for a renewal)
     */
    boolean ended(ServerSession session) {
        Grant g = grants.remove(session);
        if (g == null) {
            return false;
        }
        g.release();
        return g.withdrawn;
    }

    /** Withdraws every registration whose admission is gone. Runs on the thread that changed the credentials. */
    void recheck() {
        Credentials.State state = credentials.state();
        usage.values().removeIf(u -> state.tenants().get(u.tenant.name()) != u.tenant);
        for (Map.Entry<ServerSession, Grant> e : grants.entrySet()) {
            if (!stillAdmitted(e.getValue(), state)) {
                withdraw(e.getKey(), e.getValue());
            }
        }
    }

    private boolean stillAdmitted(Grant g, Credentials.State state) {
        if (g.usage != null && state.tenants().get(g.usage.tenant.name()) != g.usage.tenant) {
            return false;
        }
        if (g.byAllowList) {
            Credentials.Allowed a = state.allowed().get(g.key);
            return a != null && a.tenant().equals(g.usage == null ? "" : g.usage.tenant.name());
        }
        return true;
    }

    private void withdraw(ServerSession session, Grant g) {
        g.withdrawn = true;
        LOG.info("natgw forwarder: admission of {} withdrawn, disconnecting it", g.key);
        // on a thread of its own: telling a peer that does not read may take up to a second, and the operator's
        // command must not wait for each of them
        Thread.ofVirtual().name("natgw-fwd-withdraw").start(() -> session.control.fail(ErrorCode.NOT_ADMITTED,
                "the operator withdrew this key's admission"));
    }

    private Usage usage(Credentials.Tenant t) {
        return usage.compute(t.name(), (n, u) -> u != null && u.tenant == t ? u : new Usage(t));
    }

    // ---- relays

    /** A client's place, taken at CONNECT and given back when it stops waiting or its relay ends. */
    final class RelayTicket implements AutoCloseable {
        private final InetAddress client;
        private final Usage usage;
        private final AtomicBoolean closed = new AtomicBoolean();

        RelayTicket(InetAddress client, Usage usage) {
            this.client = client;
            this.usage = usage;
        }

        /** {@return what a relay calls with each chunk it moved: the tenant's bytes and byte rate, or null} */
        IntConsumer meter() {
            Usage u = usage;
            if (u == null) {
                return null;
            }
            ByteBucket bucket = u.bucket;
            return n -> {
                u.bytes.add(n);
                if (bucket != null) {
                    long wait = bucket.take(n, System.nanoTime());
                    if (wait > 0) {
                        u.throttled.increment();
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                relayPrefixes.release(client);
                if (usage != null) {
                    usage.relays.decrementAndGet();
                }
            }
        }
    }

    /**
     * Takes a client's place: by its prefix, and in the quota of its server's tenant.
     *
     * @throws ProtocolException LIMIT past either
     */
    RelayTicket openRelay(ServerSession server, InetAddress client) throws ProtocolException {
        if (relayPrefixes.acquire(client, System.nanoTime()) != PrefixLimits.Verdict.OK) {
            throw new ProtocolException(ErrorCode.LIMIT, "too many clients from " + Prefix.narrow(client)
                    + " or " + Prefix.wide(client));
        }
        Grant g = grants.get(server);
        Usage u = g == null ? null : g.usage;
        if (u != null && !ServerSession.reserve(u.relays, u.tenant.quota().relays())) {
            relayPrefixes.release(client);
            throw new ProtocolException(ErrorCode.LIMIT, "the tenant of " + server.key + " has its maximum of "
                    + u.tenant.quota().relays() + " relays");
        }
        return new RelayTicket(client, u);
    }

    /** Forgets prefixes with nothing counted; runs on the engine's timer. */
    void sweep(long nowNanos) {
        try {
            serverPrefixes.sweep(nowNanos);
            relayPrefixes.sweep(nowNanos);
        } catch (RuntimeException e) {
            // a failure here must not end the timer's schedule
            LOG.warn("forwarder prefix sweep: {}", e.toString());
        }
    }

    // ---- observation

    List<TenantStatus> tenants() {
        List<TenantStatus> out = new ArrayList<>();
        for (Credentials.Tenant t : credentials.state().tenants().values()) {
            Usage u = usage.get(t.name());
            boolean live = u != null && u.tenant == t;
            TenantQuota q = t.quota();
            out.add(new TenantStatus(t.name(), q, t.created(), live ? u.servers.get() : 0, live ? u.relays.get() : 0,
                    live ? u.bytes.sum() : 0, live ? u.throttled.sum() : 0));
        }
        return out;
    }

    List<AllowedKey> allowed(java.util.Set<String> registered) {
        List<AllowedKey> out = new ArrayList<>();
        for (Credentials.Allowed a : credentials.state().allowed().values()) {
            out.add(new AllowedKey(a.key(), a.tenant(), a.added(), registered.contains(a.key())));
        }
        return out;
    }
}
