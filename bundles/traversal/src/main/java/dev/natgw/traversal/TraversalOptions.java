package dev.natgw.traversal;

import dev.natgw.traversal.protocol.TenantCredential;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLSocketFactory;

/**
 * How the library finds and talks to the registry and forwarders. Immutable; build with {@link #builder()}.
 *
 * @param registry the registry's HTTP face, such as {@code http://127.0.0.1:8181/natgw/registry/v1}, or null to use
 *     only {@code forwarders} (a server then announces nothing and a client can only reach keys through them)
 * @param forwarders forwarders to use instead of those the registry lists; may be empty
 * @param tls the socket factory for {@code natgw+tls://} forwarders
 * @param connectTimeout the longest TCP (and TLS) connect
 * @param handshakeTimeout the longest wait for a protocol answer
 * @param backoffMin the first wait after a failed forwarder, doubled per failure
 * @param backoffMax the longest wait between attempts
 * @param direct whether a server first probes its reachability and listens directly when reachable
 * @param directBind the local address a server's direct listener binds (port 0: any)
 * @param announceTtl the TTL of the server's announcement; renewed every third of it
 * @param backlog connections a server holds for {@link TraversalServer#accept()}; more are declined
 * @param reprobeInterval how often a server probes its reachability again (when {@code direct}): a direct server
 *     that is no longer reachable moves to a forwarder, and a forwarded one that became reachable listens directly
 *     again; 100 ms..1 day, 60 s by default
 * @param credential the tenant credential a server presents when it registers with a forwarder (docs/protocol.md,
 *     section 10), or null to present none (an allow-listed key, or an open forwarder); since 1.2
 * @param forwardersAtOnce how many forwarders a forwarded server registers with at once, each announced: clients reach
 *     it through the others while one is down; 1..{@value #MAX_FORWARDERS_AT_ONCE}, {@value #DEFAULT_FORWARDERS_AT_ONCE}
 *     by default (fewer while fewer are known); since 1.4
 * @param dataPool how many data connections a forwarded server keeps parked, ready in advance, at each forwarder it is
 *     registered with (docs/protocol.md, section 5a): a client is then paired with one at once, without waiting for
 *     the server to open one; 0 for none (a data connection per client, opened when the client arrives);
 *     0..{@value #MAX_DATA_POOL}, {@value #DEFAULT_DATA_POOL} by default; a forwarder that does not park connections
 *     (older than 1.5) or parks fewer is used the per-client way; since 1.5
 */
public record TraversalOptions(URI registry, List<Endpoint> forwarders, SSLSocketFactory tls, Duration connectTimeout,
        Duration handshakeTimeout, Duration backoffMin, Duration backoffMax, boolean direct,
        InetSocketAddress directBind, Duration announceTtl, int backlog, Duration reprobeInterval,
        TenantCredential credential, int forwardersAtOnce, int dataPool) {

    /** The default of {@link #reprobeInterval()}. */
    public static final Duration DEFAULT_REPROBE = Duration.ofSeconds(60);
    /** The default of {@link #forwardersAtOnce()}. */
    public static final int DEFAULT_FORWARDERS_AT_ONCE = 2;
    /**
     * The most of {@link #forwardersAtOnce()}: the registry keeps at most 8 values under a key, and a value signed anew
     * is announced before the old one is withdrawn, so each forwarder's value may briefly stand twice.
     */
    public static final int MAX_FORWARDERS_AT_ONCE = 4;
    /** The default of {@link #dataPool()}. */
    public static final int DEFAULT_DATA_POOL = 0;
    /** The most of {@link #dataPool()}. */
    public static final int MAX_DATA_POOL = 64;

    /** Validates. */
    public TraversalOptions {
        forwarders = List.copyOf(forwarders);
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(directBind, "directBind");
        if (registry == null && forwarders.isEmpty()) {
            throw new IllegalArgumentException("give a registry URL or at least one forwarder");
        }
        positive("connectTimeout", connectTimeout);
        positive("handshakeTimeout", handshakeTimeout);
        positive("backoffMin", backoffMin);
        positive("backoffMax", backoffMax);
        if (announceTtl.compareTo(Duration.ofSeconds(3)) < 0 || announceTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("announceTtl must be 3 s..1 h, was " + announceTtl);
        }
        if (backlog < 1 || backlog > 65536) {
            throw new IllegalArgumentException("backlog must be 1..65536, was " + backlog);
        }
        if (reprobeInterval == null || reprobeInterval.compareTo(Duration.ofMillis(100)) < 0 || reprobeInterval
                .compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("reprobeInterval must be 100 ms..1 day, was " + reprobeInterval);
        }
        if (forwardersAtOnce < 1 || forwardersAtOnce > MAX_FORWARDERS_AT_ONCE) {
            throw new IllegalArgumentException("forwardersAtOnce must be 1.." + MAX_FORWARDERS_AT_ONCE + ", was "
                    + forwardersAtOnce);
        }
        if (dataPool < 0 || dataPool > MAX_DATA_POOL) {
            throw new IllegalArgumentException("dataPool must be 0.." + MAX_DATA_POOL + ", was " + dataPool);
        }
    }

    /** The options of version 1.4 of this package: {@link #DEFAULT_DATA_POOL} parked data connections. */
    public TraversalOptions(URI registry, List<Endpoint> forwarders, SSLSocketFactory tls, Duration connectTimeout,
            Duration handshakeTimeout, Duration backoffMin, Duration backoffMax, boolean direct,
            InetSocketAddress directBind, Duration announceTtl, int backlog, Duration reprobeInterval,
            TenantCredential credential, int forwardersAtOnce) {
        this(registry, forwarders, tls, connectTimeout, handshakeTimeout, backoffMin, backoffMax, direct, directBind,
                announceTtl, backlog, reprobeInterval, credential, forwardersAtOnce, DEFAULT_DATA_POOL);
    }

    /** The options of version 1.2 of this package: {@link #DEFAULT_FORWARDERS_AT_ONCE} forwarders at once. */
    public TraversalOptions(URI registry, List<Endpoint> forwarders, SSLSocketFactory tls, Duration connectTimeout,
            Duration handshakeTimeout, Duration backoffMin, Duration backoffMax, boolean direct,
            InetSocketAddress directBind, Duration announceTtl, int backlog, Duration reprobeInterval,
            TenantCredential credential) {
        this(registry, forwarders, tls, connectTimeout, handshakeTimeout, backoffMin, backoffMax, direct, directBind,
                announceTtl, backlog, reprobeInterval, credential, DEFAULT_FORWARDERS_AT_ONCE);
    }

    /** The options of version 1.1 of this package: no credential. */
    public TraversalOptions(URI registry, List<Endpoint> forwarders, SSLSocketFactory tls, Duration connectTimeout,
            Duration handshakeTimeout, Duration backoffMin, Duration backoffMax, boolean direct,
            InetSocketAddress directBind, Duration announceTtl, int backlog, Duration reprobeInterval) {
        this(registry, forwarders, tls, connectTimeout, handshakeTimeout, backoffMin, backoffMax, direct, directBind,
                announceTtl, backlog, reprobeInterval, null);
    }

    /** The options of version 1.0 of this package, re-probing every {@link #DEFAULT_REPROBE}. */
    public TraversalOptions(URI registry, List<Endpoint> forwarders, SSLSocketFactory tls, Duration connectTimeout,
            Duration handshakeTimeout, Duration backoffMin, Duration backoffMax, boolean direct,
            InetSocketAddress directBind, Duration announceTtl, int backlog) {
        this(registry, forwarders, tls, connectTimeout, handshakeTimeout, backoffMin, backoffMax, direct, directBind,
                announceTtl, backlog, DEFAULT_REPROBE);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds options; every setter returns the builder. */
    public static final class Builder {
        private URI registry;
        private final List<Endpoint> forwarders = new ArrayList<>();
        private SSLSocketFactory tls = (SSLSocketFactory) SSLSocketFactory.getDefault();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration backoffMin = Duration.ofMillis(250);
        private Duration backoffMax = Duration.ofSeconds(10);
        private boolean direct = true;
        private InetSocketAddress directBind = new InetSocketAddress(0);
        private Duration announceTtl = Duration.ofSeconds(30);
        private int backlog = 64;
        private Duration reprobeInterval = DEFAULT_REPROBE;
        private TenantCredential credential;
        private int forwardersAtOnce = DEFAULT_FORWARDERS_AT_ONCE;
        private int dataPool = DEFAULT_DATA_POOL;

        public Builder registry(URI uri) {
            this.registry = uri;
            return this;
        }

        public Builder forwarder(Endpoint e) {
            if (!e.forwarder()) {
                throw new IllegalArgumentException(e + " is not a forwarder (natgw:// or natgw+tls://)");
            }
            forwarders.add(e);
            return this;
        }

        public Builder tls(SSLSocketFactory f) {
            this.tls = f;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder handshakeTimeout(Duration d) {
            this.handshakeTimeout = d;
            return this;
        }

        public Builder backoff(Duration min, Duration max) {
            this.backoffMin = min;
            this.backoffMax = max;
            return this;
        }

        public Builder direct(boolean d) {
            this.direct = d;
            return this;
        }

        public Builder directBind(InetSocketAddress a) {
            this.directBind = a;
            return this;
        }

        public Builder announceTtl(Duration d) {
            this.announceTtl = d;
            return this;
        }

        public Builder backlog(int n) {
            this.backlog = n;
            return this;
        }

        public Builder reprobeInterval(Duration d) {
            this.reprobeInterval = d;
            return this;
        }

        /** The tenant credential to register with, or null for none. */
        public Builder credential(TenantCredential c) {
            this.credential = c;
            return this;
        }

        /**
         * The tenant credential to register with, as its text ({@code natgw-tenant-v1:NAME:SECRET}).
         *
         * @throws IllegalArgumentException if the text is not a credential
         */
        public Builder credential(String text) {
            this.credential = TenantCredential.parse(text);
            return this;
        }

        /** How many forwarders a forwarded server registers with at once, 1..{@value #MAX_FORWARDERS_AT_ONCE}. */
        public Builder forwardersAtOnce(int n) {
            this.forwardersAtOnce = n;
            return this;
        }

        /** {@link TraversalOptions#dataPool()}. */
        public Builder dataPool(int n) {
            this.dataPool = n;
            return this;
        }

        public TraversalOptions build() {
            return new TraversalOptions(registry, forwarders, tls, connectTimeout, handshakeTimeout, backoffMin,
                    backoffMax, direct, directBind, announceTtl, backlog, reprobeInterval, credential,
                    forwardersAtOnce, dataPool);
        }
    }
}
