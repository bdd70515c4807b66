package dev.natgw.registry.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the ZooKeeper backend finds its ensemble and how it authenticates, already checked by the manager. The
 * credential never appears in {@link #toString}.
 *
 * @param connect host:port[,host:port...]
 * @param root the absolute znode path under which keys live, without a trailing slash
 * @param sessionTimeout after how long the ensemble ends a silent session
 * @param connectTimeout how long an operation waits for a connection
 * @param auth {@link #AUTH_NONE}, {@link #AUTH_DIGEST}, {@link #AUTH_SASL} or {@link #AUTH_X509}
 * @param digest user:password for digest, empty otherwise
 * @param saslLoginContext the JAAS section for sasl
 * @param cacheMaxKeys the most keys whose lookups are cached
 * @param cacheTtl how long after its refresh a cached lookup may answer during an outage
 * @param tls TLS to the ensemble, or {@link ZooKeeperTls#OFF}
 */
public record ZooKeeperSettings(String connect, String root, Duration sessionTimeout, Duration connectTimeout,
        String auth, String digest, String saslLoginContext, int cacheMaxKeys, Duration cacheTtl, ZooKeeperTls tls) {

    /** No authentication, open ACLs. */
    public static final String AUTH_NONE = "none";
    /** ZooKeeper's digest scheme, user:password. */
    public static final String AUTH_DIGEST = "digest";
    /** SASL through a JAAS login context. */
    public static final String AUTH_SASL = "sasl";
    /** The client certificate of {@link ZooKeeperTls#keyStore}, checked by the ensemble's x509 provider. */
    public static final String AUTH_X509 = "x509";

    public ZooKeeperSettings {
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(tls, "tls");
    }

    /** Unauthenticated settings with the default cache, for tests. */
    public ZooKeeperSettings(String connect, String root, Duration sessionTimeout, Duration connectTimeout) {
        this(connect, root, sessionTimeout, connectTimeout, AUTH_NONE, "", "Client", 10_000, Duration.ofMinutes(5),
                ZooKeeperTls.OFF);
    }

    /** {@return these settings authenticated with a digest user:password} */
    public ZooKeeperSettings withDigest(String userPassword) {
        return new ZooKeeperSettings(connect, root, sessionTimeout, connectTimeout, AUTH_DIGEST, userPassword,
                saslLoginContext, cacheMaxKeys, cacheTtl, tls);
    }

    /** {@return these settings with another lookup cache} */
    public ZooKeeperSettings withCache(int maxKeys, Duration ttl) {
        return new ZooKeeperSettings(connect, root, sessionTimeout, connectTimeout, auth, digest, saslLoginContext,
                maxKeys, ttl, tls);
    }

    /** {@return these settings over TLS, authenticated as {@code auth}} */
    public ZooKeeperSettings withTls(ZooKeeperTls transport, String authentication) {
        return new ZooKeeperSettings(connect, root, sessionTimeout, connectTimeout, authentication, digest,
                saslLoginContext, cacheMaxKeys, cacheTtl, transport);
    }

    @Override
    public String toString() {
        return "ZooKeeperSettings[connect=" + connect + ", root=" + root + ", sessionTimeout=" + sessionTimeout
                + ", connectTimeout=" + connectTimeout + ", auth=" + auth
                + (auth.equals(AUTH_DIGEST) ? " as " + digest.substring(0, Math.max(0, digest.indexOf(':'))) : "")
                + ", cacheMaxKeys=" + cacheMaxKeys + ", cacheTtl=" + cacheTtl + ", " + tls + "]";
    }
}
