package dev.natgw.registry.internal;

import java.time.Duration;

/**
 * Where the ZooKeeper backend finds its ensemble, already checked by the manager.
 *
 * @param connect host:port[,host:port...]
 * @param root the absolute znode path under which keys live, without a trailing slash
 * @param sessionTimeout after how long the ensemble ends a silent session
 * @param connectTimeout how long an operation waits for a connection
 */
public record ZooKeeperSettings(String connect, String root, Duration sessionTimeout, Duration connectTimeout) {
}
