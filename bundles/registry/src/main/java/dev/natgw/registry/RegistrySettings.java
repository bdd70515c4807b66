package dev.natgw.registry;

import dev.natgw.api.registry.Registry;
import dev.natgw.registry.internal.OwnerIdentity;
import dev.natgw.registry.internal.ZooKeeperSettings;
import dev.natgw.registry.internal.ZooKeeperTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A {@link RegistryConfig} checked: every refusal names the configuration key as written in
 * {@code etc/dev.natgw.registry.cfg}. Immutable.
 *
 * @param backend {@link Registry#BACKEND_EMBEDDED} or {@link Registry#BACKEND_ZOOKEEPER}
 * @param zookeeper where the ensemble is (read only by the zookeeper backend)
 * @param maxEntries the bound on entries
 * @param maxWatches the bound on watches
 * @param owner the configured owner identity, empty for the appliance's kept one
 */
record RegistrySettings(String backend, ZooKeeperSettings zookeeper, int maxEntries, int maxWatches, String owner) {

    /**
     * @throws IllegalArgumentException naming the key at fault
     */
    static RegistrySettings of(RegistryConfig c) {
        String backend = trim(c.backend()).toLowerCase(Locale.ROOT);
        if (!backend.equals(Registry.BACKEND_EMBEDDED) && !backend.equals(Registry.BACKEND_ZOOKEEPER)) {
            throw new IllegalArgumentException(
                    "backend must be embedded or zookeeper, was \"" + c.backend() + "\"");
        }
        String connect = trim(c.zookeeper_connect());
        String root = trim(c.zookeeper_root());
        if (backend.equals(Registry.BACKEND_ZOOKEEPER)) {
            checkConnect(connect);
            checkRoot(root);
        }
        int session = range("zookeeper.session.timeout", c.zookeeper_session_timeout(), 2, 600);
        int connectTimeout = range("zookeeper.connect.timeout", c.zookeeper_connect_timeout(), 1, 600);
        int maxEntries = range("max.entries", c.max_entries(), 1, 10_000_000);
        int maxWatches = range("max.watches", c.max_watches(), 1, 100_000);
        String auth = trim(c.zookeeper_auth()).toLowerCase(Locale.ROOT);
        if (!auth.equals(ZooKeeperSettings.AUTH_NONE) && !auth.equals(ZooKeeperSettings.AUTH_DIGEST)
                && !auth.equals(ZooKeeperSettings.AUTH_SASL) && !auth.equals(ZooKeeperSettings.AUTH_X509)) {
            throw new IllegalArgumentException(
                    "zookeeper.auth must be digest, sasl, x509 or none, was \"" + c.zookeeper_auth() + "\"");
        }
        ZooKeeperTls tls = tls(c, backend.equals(Registry.BACKEND_ZOOKEEPER));
        if (backend.equals(Registry.BACKEND_ZOOKEEPER) && auth.equals(ZooKeeperSettings.AUTH_X509)
                && tls.keyStore().isEmpty()) {
            throw new IllegalArgumentException("zookeeper.auth=x509 needs zookeeper.tls=true and the appliance's"
                    + " certificate in zookeeper.tls.keystore");
        }
        String digest = c.zookeeper_auth_digest() == null ? "" : c.zookeeper_auth_digest();
        if (backend.equals(Registry.BACKEND_ZOOKEEPER) && auth.equals(ZooKeeperSettings.AUTH_DIGEST)) {
            checkDigest(digest);
        }
        String context = trim(c.zookeeper_sasl_login_context());
        if (backend.equals(Registry.BACKEND_ZOOKEEPER) && auth.equals(ZooKeeperSettings.AUTH_SASL)
                && context.isEmpty()) {
            throw new IllegalArgumentException("zookeeper.sasl.login.context must name a JAAS section for"
                    + " zookeeper.auth=sasl");
        }
        int cacheKeys = range("zookeeper.cache.max.keys", c.zookeeper_cache_max_keys(), 1, 1_000_000);
        int cacheTtl = range("zookeeper.cache.ttl", c.zookeeper_cache_ttl(), 1, 86_400);
        String owner = trim(c.owner());
        if (!owner.isEmpty() && !OwnerIdentity.NAME.matcher(owner).matches()) {
            throw new IllegalArgumentException(
                    "owner must be 1..64 of A-Z a-z 0-9 . _ : - or empty, was \"" + c.owner() + "\"");
        }
        return new RegistrySettings(backend,
                new ZooKeeperSettings(connect, root, Duration.ofSeconds(session), Duration.ofSeconds(connectTimeout),
                        auth, digest, context.isEmpty() ? "Client" : context, cacheKeys,
                        Duration.ofSeconds(cacheTtl), tls),
                maxEntries, maxWatches, owner);
    }

    /**
     * The TLS settings, with relative store paths resolved against Karaf's etc/ directory; the stores must be
     * readable files when the zookeeper backend is in use.
     */
    private static ZooKeeperTls tls(RegistryConfig c, boolean inUse) {
        if (!c.zookeeper_tls()) {
            return ZooKeeperTls.OFF;
        }
        String trust = store("zookeeper.tls.truststore", c.zookeeper_tls_truststore(), inUse);
        String key = store("zookeeper.tls.keystore", c.zookeeper_tls_keystore(), inUse);
        return new ZooKeeperTls(true, trust, orEmpty(c.zookeeper_tls_truststore_password()), key,
                orEmpty(c.zookeeper_tls_keystore_password()), c.zookeeper_tls_hostname_verification());
    }

    private static String store(String name, String configured, boolean mustExist) {
        String path = trim(configured);
        if (path.isEmpty()) {
            return "";
        }
        Path file = Path.of(path);
        if (!file.isAbsolute()) {
            String etc = System.getProperty("karaf.etc");
            file = (etc == null ? Path.of("") : Path.of(etc)).resolve(file).toAbsolutePath();
        }
        if (mustExist && !Files.isReadable(file)) {
            throw new IllegalArgumentException(name + " must be a readable PKCS#12 or JKS file, " + file
                    + " is not");
        }
        return file.toString();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Checks user:password without ever putting either in the message. */
    private static void checkDigest(String digest) {
        int colon = digest.indexOf(':');
        if (colon < 1 || colon == digest.length() - 1) {
            throw new IllegalArgumentException("zookeeper.auth.digest must be user:password (both non-empty) for"
                    + " zookeeper.auth=digest; set zookeeper.auth=none only for an ensemble nobody else can reach");
        }
        if (digest.chars().anyMatch(ch -> ch < ' ' || ch == 0x7f)) {
            throw new IllegalArgumentException("zookeeper.auth.digest must not hold control characters");
        }
    }

    private static String trim(String s) {
        return s == null ? "" : s.strip();
    }

    private static int range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    private static void checkConnect(String connect) {
        if (connect.isEmpty()) {
            throw new IllegalArgumentException("zookeeper.connect must name at least one host:port for backend"
                    + " zookeeper");
        }
        for (String server : connect.split(",", -1)) {
            int colon = server.lastIndexOf(':');
            String host = colon < 0 ? "" : server.substring(0, colon).strip();
            int port = -1;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(server.substring(colon + 1).strip());
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (host.isEmpty() || host.contains("/") || port < 1 || port > 65535) {
                throw new IllegalArgumentException("zookeeper.connect must be host:port[,host:port...], \"" + connect
                        + "\" has \"" + server + "\"");
            }
        }
    }

    private static void checkRoot(String root) {
        boolean ok = root.length() > 1 && root.startsWith("/") && !root.endsWith("/") && !root.contains("//");
        if (ok) {
            for (String part : root.substring(1).split("/")) {
                ok &= !part.equals(".") && !part.equals("..") && part.chars().allMatch(ch -> ch > ' ' && ch < 0x7f);
            }
        }
        if (!ok || root.equals("/zookeeper") || root.startsWith("/zookeeper/")) {
            throw new IllegalArgumentException(
                    "zookeeper.root must be an absolute znode path such as /natgw/registry, was \"" + root + "\"");
        }
    }
}
