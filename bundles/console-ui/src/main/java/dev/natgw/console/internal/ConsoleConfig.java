package dev.natgw.console.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The web console's configuration, PID {@code dev.natgw.console}. */
@ObjectClassDefinition(name = "natgw web console", description = "The browser console and"
        + " the Prometheus /metrics endpoint of natgw, on a Jetty of their own")
public @interface ConsoleConfig {

    /** @return the TCP port */
    @AttributeDefinition(name = "port", description = "TCP port the console listens on, 1..65535")
    int port() default 8182;

    /** @return the address to bind */
    @AttributeDefinition(name = "bind.address", description = "Local address the console listens on; loopback by"
            + " default, so only this machine (or an ssh tunnel) reaches it")
    String bind_address() default "127.0.0.1";

    /** @return whether to speak HTTPS */
    @AttributeDefinition(name = "tls.enabled", description = "Serve HTTPS with the key store below instead of HTTP")
    boolean tls_enabled() default false;

    /** @return the key store file */
    @AttributeDefinition(name = "tls.keystore.path", description = "Key store holding the console's private key and"
            + " certificate (required with tls.enabled)")
    String tls_keystore_path() default "";

    /** @return the key store password */
    @AttributeDefinition(name = "tls.keystore.password", description = "Password of the key store and its key", type = AttributeType.PASSWORD)
    String tls_keystore_password() default "";

    /** @return the key store type */
    @AttributeDefinition(name = "tls.keystore.type", description = "Key store type: PKCS12 or JKS")
    String tls_keystore_type() default "PKCS12";

    /** @return the JAAS realm */
    @AttributeDefinition(name = "realm", description = "Karaf JAAS realm users log in against (the shell's users)")
    String realm() default "karaf";

    /** @return the roles that may log in */
    @AttributeDefinition(name = "roles", description = "Roles of which a user needs one to log in, comma-separated")
    String roles() default "admin,manager,viewer";

    /** @return whether /metrics needs a login */
    @AttributeDefinition(name = "metrics.auth", description = "Require HTTP Basic authentication against the realm on"
            + " /metrics on loopback too; when bind.address is not a loopback address /metrics always requires it."
            + " Off by default: on loopback only local scrapers reach it, and the figures are no secret")
    boolean metrics_auth() default false;

    /** @return the session timeout */
    @AttributeDefinition(name = "session.timeout", description = "Minutes a logged-in browser session stays open"
            + " without a click or a navigation (the page's heartbeats and the server's pushes do not count);"
            + " 1..1440")
    int session_timeout() default 30;

    /** @return how long a session that has not logged in lives idle */
    @AttributeDefinition(name = "session.login.timeout", description = "Seconds a browser session that has not"
            + " logged in (the login page) stays open without a request, so sessions opened and abandoned by"
            + " visitors free their place soon; 10..3600")
    int session_login_timeout() default 300;

    /** @return the most sessions at once */
    @AttributeDefinition(name = "max.sessions", description = "Most browser sessions at once, logged in or not;"
            + " at most half of them may be sessions that have not logged in, so visitors who never log in cannot"
            + " take the places of operators. A new session past it is refused with HTTP 503; 2..10000")
    int max_sessions() default 64;

    /** @return the most sessions from one client address */
    @AttributeDefinition(name = "max.sessions.per.source", description = "Most browser sessions at once from one"
            + " client address (ssh tunnels all come from 127.0.0.1). A new session past it is refused with HTTP"
            + " 429; 1..max.sessions")
    int max_sessions_per_source() default 20;

    /** @return seconds between checks of the logged-in users' roles */
    @AttributeDefinition(name = "session.recheck", description = "Seconds between checks that each logged-in user"
            + " still exists in the realm and still holds one of the roles; a session whose user was removed or"
            + " lost the roles is ended. 1..3600")
    int session_recheck() default 10;

    /** @return the most sessions the grid shows */
    @AttributeDefinition(name = "sessions.grid.max", description = "Most NAT sessions one Sessions query copies from"
            + " the workers (per worker at most this many), 100..1000000")
    int sessions_grid_max() default 10000;

    /** @return failed logins that lock an address or user name */
    @AttributeDefinition(name = "login.max.failures", description = "Failed logins from one client address, or for"
            + " one user name, after which further attempts from it or for it are refused for login.lockout seconds;"
            + " 1..1000")
    int login_max_failures() default 5;

    /** @return how long a lock lasts */
    @AttributeDefinition(name = "login.lockout", description = "Seconds a locked address or user name is refused,"
            + " and the window its failures are counted in; 1..86400")
    int login_lockout() default 60;

    /** @return the most addresses and names remembered */
    @AttributeDefinition(name = "login.tracked.max", description = "Most client addresses and user names the"
            + " failed-login throttle remembers (least recently used forgotten first), so guessing from many"
            + " addresses or names cannot exhaust memory; 100..1000000")
    int login_tracked_max() default 10000;
}
