package dev.natgw.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The console's configuration, checked: every bad value is refused with a message that names its field.
 *
 * @param port the TCP port
 * @param bindAddress the local address
 * @param tls whether to serve HTTPS
 * @param keystorePath the key store, null without TLS
 * @param keystorePassword its password
 * @param keystoreType its type
 * @param realm the JAAS realm
 * @param roles the roles allowed to log in
 * @param metricsAuth whether /metrics needs HTTP Basic: configured so, or bound beyond loopback
 * @param sessionTimeoutMinutes idle timeout of a logged-in session
 * @param sessionLoginTimeoutSeconds idle timeout of a session that has not logged in
 * @param maxSessions the most sessions at once
 * @param maxSessionsPerSource the most sessions at once from one client address
 * @param sessionRecheckSeconds seconds between checks of the logged-in users' roles
 * @param sessionsGridMax the most sessions one Sessions query copies
 * @param loginMaxFailures failed logins that lock an address or user name
 * @param loginLockoutSeconds how long a lock lasts
 * @param loginTrackedMax the most addresses and names the throttle remembers
 */
public record ConsoleSettings(int port, InetAddress bindAddress, boolean tls, Path keystorePath,
        String keystorePassword, String keystoreType, String realm, List<String> roles, boolean metricsAuth,
        int sessionTimeoutMinutes, int sessionLoginTimeoutSeconds, int maxSessions, int maxSessionsPerSource,
        int sessionRecheckSeconds, int sessionsGridMax, int loginMaxFailures, int loginLockoutSeconds,
        int loginTrackedMax) {

    /**
     * Checks a configuration.
     *
     * @param c the configuration
     * @return the settings
     * @throws IllegalArgumentException naming the first bad field
     */
    public static ConsoleSettings of(ConsoleConfig c) {
        if (c.port() < 1 || c.port() > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + c.port());
        }
        InetAddress bind;
        String host = c.bind_address() == null ? "" : c.bind_address().strip();
        if (host.isEmpty()) {
            throw new IllegalArgumentException("bind.address must be a local IP address, was empty");
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("bind.address must be an IP address (no host names), was " + host);
        }
        try {
            bind = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bind.address is not an IP address: " + host, e);
        }
        Path keystore = null;
        String type = c.tls_keystore_type() == null ? "" : c.tls_keystore_type().strip().toUpperCase(Locale.ROOT);
        if (c.tls_enabled()) {
            if (c.tls_keystore_path() == null || c.tls_keystore_path().isBlank()) {
                throw new IllegalArgumentException("tls.keystore.path must name a key store when tls.enabled is true");
            }
            keystore = Path.of(c.tls_keystore_path().strip());
            if (!Files.isReadable(keystore)) {
                throw new IllegalArgumentException("tls.keystore.path " + keystore + " is not a readable file");
            }
            if (!type.equals("PKCS12") && !type.equals("JKS")) {
                throw new IllegalArgumentException("tls.keystore.type must be PKCS12 or JKS, was " + type);
            }
            String password = c.tls_keystore_password() == null ? "" : c.tls_keystore_password();
            try (InputStream in = Files.newInputStream(keystore)) {
                KeyStore ks = KeyStore.getInstance(type);
                ks.load(in, password.toCharArray());
                if (ks.size() == 0) {
                    throw new IllegalArgumentException("tls.keystore.path " + keystore + " holds no key");
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("tls.keystore.path " + keystore + " cannot be opened with"
                        + " tls.keystore.password and tls.keystore.type " + type + ": " + e.getMessage(), e);
            }
        }
        if (c.realm() == null || c.realm().isBlank()) {
            throw new IllegalArgumentException("realm must name a JAAS realm, was empty");
        }
        List<String> roles = Arrays.stream(c.roles() == null ? new String[0] : c.roles().split(","))
                .map(String::strip).filter(r -> !r.isEmpty()).toList();
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("roles must list at least one role, was empty");
        }
        if (c.session_timeout() < 1 || c.session_timeout() > 1440) {
            throw new IllegalArgumentException("session.timeout must be 1..1440 minutes, was " + c.session_timeout());
        }
        if (c.session_login_timeout() < 10 || c.session_login_timeout() > 3600) {
            throw new IllegalArgumentException("session.login.timeout must be 10..3600 seconds, was "
                    + c.session_login_timeout());
        }
        if (c.max_sessions() < 2 || c.max_sessions() > 10_000) {
            throw new IllegalArgumentException("max.sessions must be 2..10000, was " + c.max_sessions());
        }
        if (c.max_sessions_per_source() < 1 || c.max_sessions_per_source() > c.max_sessions()) {
            throw new IllegalArgumentException("max.sessions.per.source must be 1..max.sessions (" + c.max_sessions()
                    + "), was " + c.max_sessions_per_source());
        }
        if (c.session_recheck() < 1 || c.session_recheck() > 3600) {
            throw new IllegalArgumentException("session.recheck must be 1..3600 seconds, was " + c.session_recheck());
        }
        if (c.sessions_grid_max() < 100 || c.sessions_grid_max() > 1_000_000) {
            throw new IllegalArgumentException("sessions.grid.max must be 100..1000000, was "
                    + c.sessions_grid_max());
        }
        if (c.login_max_failures() < 1 || c.login_max_failures() > 1000) {
            throw new IllegalArgumentException("login.max.failures must be 1..1000, was " + c.login_max_failures());
        }
        if (c.login_lockout() < 1 || c.login_lockout() > 86_400) {
            throw new IllegalArgumentException("login.lockout must be 1..86400 seconds, was " + c.login_lockout());
        }
        if (c.login_tracked_max() < 100 || c.login_tracked_max() > 1_000_000) {
            throw new IllegalArgumentException("login.tracked.max must be 100..1000000, was "
                    + c.login_tracked_max());
        }
        return new ConsoleSettings(c.port(), bind, c.tls_enabled(), keystore, c.tls_keystore_password(), type,
                // beyond loopback anyone on the network could read the figures: a login is not optional there
                c.realm().strip(), roles, c.metrics_auth() || !bind.isLoopbackAddress(), c.session_timeout(),
                c.session_login_timeout(), c.max_sessions(), c.max_sessions_per_source(), c.session_recheck(),
                c.sessions_grid_max(), c.login_max_failures(), c.login_lockout(), c.login_tracked_max());
    }

    /** Hides the password from logs. */
    @Override
    public String toString() {
        return (tls ? "https://" : "http://") + bindAddress.getHostAddress() + ":" + port + " realm " + realm
                + " roles " + roles + ", at most " + maxSessions + " sessions (" + maxSessionsPerSource
                + " per address)" + (metricsAuth ? ", /metrics with login" : ", /metrics without login");
    }
}
