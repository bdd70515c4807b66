package dev.natgw.registry.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/** What a ZooKeeper client without the registry's identity tries against its znodes, and must be refused. */
final class ZnodeAttacks {

    private ZnodeAttacks() {
    }

    /**
     * Asserts that {@code attacker} can neither change nor delete the entry at {@code path}, nor create a znode
     * {@code newPath} under the registry's root.
     */
    static void assertCannotWrite(CuratorFramework attacker, String path, String newPath) {
        assertThatThrownBy(() -> attacker.setData().forPath(path, "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> attacker.delete().forPath(path))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> attacker.create().forPath(newPath))
                .isInstanceOf(KeeperException.NoAuthException.class);
    }
}
