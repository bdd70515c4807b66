package dev.natgw.nat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.testing.ConfigProxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolConfigsTest {

    private static PoolDefinition pool(String factoryName, Map<String, ?> properties) {
        return PoolConfigs.toDefinition(factoryName, ConfigProxy.of(PoolConfig.class, properties));
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> m = new HashMap<>();
        m.put("addresses", new String[]{"198.19.0.1"});
        m.put(key, value);
        return m;
    }

    @Test
    void defaultsAreTheRecommendedPoolNamedAfterTheFactoryName() {
        PoolDefinition p = pool("public", Map.of("addresses", new String[]{"198.19.0.1"}));

        assertThat(p).isEqualTo(PoolDefinition.of("public", List.of(Ipv4Range.parse("198.19.0.1"))));
    }

    @Test
    void readsEveryKey() {
        PoolDefinition p = pool("x", Map.of("name", "cgn", "addresses",
                new String[]{" 198.19.0.0/28", "198.19.1.10-198.19.1.20 "}, "ports", "2000-2999", "mapping",
                "ADDRESS_AND_PORT_DEPENDENT", "filtering", "ENDPOINT_INDEPENDENT", "paired.pooling", false,
                "per.host.quota", 512, "icmp.on.exhaustion", false));

        assertThat(p).isEqualTo(new PoolDefinition("cgn",
                List.of(Ipv4Range.parse("198.19.0.0/28"), Ipv4Range.parse("198.19.1.10-198.19.1.20")), 2000, 2999,
                MappingBehavior.ADDRESS_AND_PORT_DEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT, false, 512,
                false));
    }

    @Test
    void readsTheSubscriberLimitsAndRefusesBadOnesByKey() {
        PoolDefinition p = pool("public", Map.of("addresses", new String[]{"198.19.0.1"}, "sessions.per.host", 100,
                "new.mappings.per.second", 10, "new.mappings.burst", 5, "inbound.sessions.per.mapping", 0));
        assertThat(p.limits()).isEqualTo(new SubscriberLimits(100, 10, 5, 0));
        assertThatThrownBy(() -> pool("public", Map.of("addresses", new String[]{"198.19.0.1"}, "sessions.per.host",
                -1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat.pool~public: sessions.per.host must be >= 0, was -1");
        assertThatThrownBy(() -> pool("public", Map.of("addresses", new String[]{"198.19.0.1"},
                "new.mappings.burst", 0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dev.natgw.nat.pool~public: new.mappings.per.second 2000 and"
                        + " new.mappings.burst 0 do not make a bucket");
    }

    @Test
    void aCfgFileStringMayListSeveralRangesSeparatedByCommas() {
        PoolDefinition p = pool("public", Map.of("addresses", new String[]{"198.19.0.1, 198.19.0.8/29,"}));

        assertThat(p.addresses()).containsExactly(Ipv4Range.parse("198.19.0.1"), Ipv4Range.parse("198.19.0.8/29"));
        assertThatThrownBy(() -> pool("public", Map.of("addresses", new String[]{"198.19.0.1, 198.19.0.x"})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dev.natgw.nat.pool~public: addresses[1] \"198.19.0.x\"");
        assertThatThrownBy(() -> pool("public", Map.of("addresses", new String[]{" , "})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat.pool~public: addresses must list at least one range");
    }

    @Test
    void factoryNameIsThePartAfterTheTilde() {
        assertThat(PoolConfigs.factoryName("dev.natgw.nat.pool~public")).isEqualTo("public");
        assertThat(PoolConfigs.factoryName("dev.natgw.nat.pool.1234")).isEmpty();
    }

    @Test
    void refusesABadRangeNamingItsIndexAndText() {
        assertThatThrownBy(() -> pool("public", Map.of("addresses", new String[]{"198.19.0.1", "198.19.0.x"})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dev.natgw.nat.pool~public: addresses[1] \"198.19.0.x\" is not an IPv4 range");
    }

    @Test
    void refusesOverlappingRanges() {
        assertThatThrownBy(
                () -> pool("public", Map.of("addresses", new String[]{"198.19.0.0/24", "198.19.0.200-198.19.1.5"})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat.pool~public: addresses[0] \"198.19.0.0/24\" and addresses[1]"
                        + " \"198.19.0.200-198.19.1.5\" overlap");
    }

    @Test
    void refusesNoAddresses() {
        assertThatThrownBy(() -> pool("public", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat.pool~public: addresses must list at least one range");
    }

    @Test
    void refusesBadPorts() {
        for (String ports : new String[]{"0-100", "2000-1000", "1025-65536", "x", "", "1025-"}) {
            assertThatThrownBy(() -> pool("public", with("ports", ports))).as(ports)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dev.natgw.nat.pool~public: ports \"" + ports
                            + "\" is not a port range MIN-MAX with 1 <= MIN <= MAX <= 65535");
        }
    }

    @Test
    void refusesUnknownBehaviours() {
        assertThatThrownBy(() -> pool("public", with("mapping", "SYMMETRIC")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat.pool~public: mapping must be ENDPOINT_INDEPENDENT or"
                        + " ADDRESS_AND_PORT_DEPENDENT, was \"SYMMETRIC\"");
        assertThatThrownBy(() -> pool("public", with("filtering", "NONE")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat.pool~public: filtering must be ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT"
                        + " or ADDRESS_AND_PORT_DEPENDENT, was \"NONE\"");
    }

    @Test
    void refusesANegativeQuota() {
        assertThatThrownBy(() -> pool("public", with("per.host.quota", -1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat.pool~public: per.host.quota must be >= 0, was -1");
    }

    @Test
    void refusesBadNames() {
        assertThatThrownBy(() -> pool("Public", with("name", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat.pool~Public: the factory name \"Public\" is not a pool name and name is"
                        + " not set; use 1..32 characters of [a-z0-9-]");
        assertThatThrownBy(() -> pool("public", with("name", "my pool")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat.pool~public: name \"my pool\" is not a pool name; use 1..32 characters of"
                        + " [a-z0-9-]");
        assertThatThrownBy(() -> pool("", with("name", ""))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the factory name \"\" is not a pool name");
    }
}
