package dev.natgw.registry;

import org.osgi.service.metatype.annotations.AttributeDefinition;
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

    @AttributeDefinition(name = "Most entries", description = "The most entries this registry holds (embedded) or"
            + " announces (zookeeper); announcing more is refused. 1..10000000.")
    int max_entries() default 100000;

    @AttributeDefinition(name = "Most watches", description = "The most open watches; opening more is refused."
            + " 1..100000.")
    int max_watches() default 1000;
}
