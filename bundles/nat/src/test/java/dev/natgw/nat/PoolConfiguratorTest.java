package dev.natgw.nat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.nat.internal.PoolConfigs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolConfiguratorTest {
    @Test
    void poolNameComesFromANamedFactoryPid() {
        assertThat(PoolConfigs.factoryName(Map.of("service.pid", "dev.natgw.nat.pool~public"))).isEqualTo(
                "public");
    }

    @Test
    void poolNameComesFromTheFileKarafReadItFrom() {
        assertThat(PoolConfigs.factoryName(Map.of("service.pid", "dev.natgw.nat.pool.4f2c",
                "felix.fileinstall.filename", "file:/opt/natgw/etc/dev.natgw.nat.pool-lab-2.cfg"))).isEqualTo(
                        "lab-2");
    }

    @Test
    void noNameWithoutEither() {
        assertThat(PoolConfigs.factoryName(Map.of("service.pid", "dev.natgw.nat.pool.4f2c"))).isEmpty();
    }
}
