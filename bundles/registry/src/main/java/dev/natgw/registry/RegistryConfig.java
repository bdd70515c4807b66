package dev.natgw.registry;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the key registry (PID {@code dev.natgw.registry}). In the configuration file each attribute's
 * name has its underscores as dots: {@code zookeeper.connect}.
 */
@ObjectClassDefinition(name = "natgw registry", description = "Where the key registry keeps announcements: in this"
        + " appliance's memory, or on a ZooKeeper ensemble shared by several appliances.")
public @interface RegistryConfig {

    @AttributeDefinition(name = "Backend", description = "embedded: in memory, forgotten on restart, seen only by this"
            + " appliance. zookeeper: ephemeral nodes on the ZooKeeper ensemble named by zookeeper.connect, seen by"
            + " every appliance using it; an appliance's announcements vanish when its session ends.")
    String backend() default "embedded";

    @AttributeDefinition(name = "ZooKeeper ensemble", description = "host:port[,host:port...] of the ZooKeeper"
            + " servers, for example 127.0.0.1:2181. Used by the zookeeper backend only.")
    String zookeeper_connect() default "127.0.0.1:2181";

    @AttributeDefinition(name = "ZooKeeper root", description = "The znode under which the registry keeps its keys,"
            + " an absolute path such as /natgw/registry. Appliances that share a registry use the same root.")
    String zookeeper_root() default "/natgw/registry";

    @AttributeDefinition(name = "ZooKeeper session timeout (s)", description = "Seconds after which the ensemble"
            + " ends a silent appliance's session and removes its announcements, 2..600.")
    int zookeeper_session_timeout() default 30;

    @AttributeDefinition(name = "ZooKeeper connect timeout (s)", description = "Seconds an operation waits for a"
            + " connection to the ensemble before it fails, 1..600.")
    int zookeeper_connect_timeout() default 10;

    @AttributeDefinition(name = "ZooKeeper authentication", description = "How this appliance proves itself to the"
            + " ensemble. digest: the user:password in zookeeper.auth.digest. sasl: the JAAS login context named by"
            + " zookeeper.sasl.login.context (Kerberos or DIGEST-MD5, set up in the JVM's JAAS configuration). With"
            + " either, every znode the registry makes is readable by anyone and writable only by the identity that"
            + " made it (creator-only ACL), so appliances sharing a registry use the same identity. none: no"
            + " authentication and open ACLs, so anyone who reaches the ensemble can rewrite the registry; refused"
            + " unless chosen explicitly, and warned about at every start. x509: the client certificate in"
            + " zookeeper.tls.keystore, checked by the ensemble's x509 authentication provider (needs zookeeper.tls),"
            + " with the same creator-only ACLs.")
    String zookeeper_auth() default "digest";

    @AttributeDefinition(name = "ZooKeeper digest credential", type = AttributeType.PASSWORD, description = "user:password"
            + " for zookeeper.auth=digest; the same on every appliance sharing the registry. Never logged.")
    String zookeeper_auth_digest() default "";

    @AttributeDefinition(name = "ZooKeeper SASL login context", description = "The JAAS login context section used"
            + " when zookeeper.auth=sasl.")
    String zookeeper_sasl_login_context() default "Client";

    @AttributeDefinition(name = "ZooKeeper over TLS", description = "Speak TLS to the ensemble (its secureClientPort,"
            + " named in zookeeper.connect), through ZooKeeper's Netty client socket: the appliance checks the"
            + " ensemble's certificate against zookeeper.tls.truststore, and nobody on the path reads the registry's"
            + " traffic or its digest credential. Off: plaintext, for an ensemble reached over a trusted network only.")
    boolean zookeeper_tls() default false;

    @AttributeDefinition(name = "ZooKeeper trust store", description = "A PKCS#12 (.p12, .pfx) or JKS file holding the"
            + " certificates that the ensemble's must be, or chain to. Empty: the JVM's default trusted authorities."
            + " A relative path is read from the Karaf etc/ directory.")
    String zookeeper_tls_truststore() default "";

    @AttributeDefinition(name = "ZooKeeper trust store password", type = AttributeType.PASSWORD, description = "The"
            + " trust store's password, if it has one. Never logged.")
    String zookeeper_tls_truststore_password() default "";

    @AttributeDefinition(name = "ZooKeeper key store", description = "A PKCS#12 or JKS file with this appliance's"
            + " certificate and private key, presented to an ensemble that asks for client certificates"
            + " (ssl.clientAuth) and needed for zookeeper.auth=x509. Empty: none. A relative path is read from the"
            + " Karaf etc/ directory.")
    String zookeeper_tls_keystore() default "";

    @AttributeDefinition(name = "ZooKeeper key store password", type = AttributeType.PASSWORD, description = "The key"
            + " store's password. Never logged.")
    String zookeeper_tls_keystore_password() default "";

    @AttributeDefinition(name = "ZooKeeper host name verification", description = "Whether the ensemble's"
            + " certificate must name the host or address in zookeeper.connect. Turn off only for certificates that"
            + " cannot name it and are pinned in the trust store.")
    boolean zookeeper_tls_hostname_verification() default true;

    @AttributeDefinition(name = "ZooKeeper lookup cache (keys)", description = "The most keys whose last lookup"
            + " result is kept, 1..1000000. While the ensemble is unreachable a lookup of a cached key is answered from"
            + " the cache (only entries not yet expired), so servers keep being found through an outage.")
    int zookeeper_cache_max_keys() default 10000;

    @AttributeDefinition(name = "ZooKeeper lookup cache age (s)", description = "Seconds after its last refresh that a"
            + " cached lookup may still be answered during an outage, 1..86400. It bounds how stale an answer can be:"
            + " an entry withdrawn meanwhile is still answered for up to this long (never past its own expiry).")
    int zookeeper_cache_ttl() default 300;

    @AttributeDefinition(name = "Owner identity", description = "The name this appliance's entries are owned under"
            + " (1..64 of A-Z a-z 0-9 . _ : -). Empty: a name made once and kept in data/natgw/registry-owner, so the"
            + " appliance renews and withdraws its entries after a restart. Set the same name on a standby appliance"
            + " to let it take over another's entries.")
    String owner() default "";

    @AttributeDefinition(name = "Most entries", description = "The most entries this registry holds (embedded) or"
            + " announces (zookeeper); announcing more is refused. 1..10000000.")
    int max_entries() default 100000;

    @AttributeDefinition(name = "Most watches", description = "The most open watches; opening more is refused."
            + " 1..100000.")
    int max_watches() default 1000;
}
