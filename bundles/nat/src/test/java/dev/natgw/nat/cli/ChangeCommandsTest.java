package dev.natgw.nat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.StaticMappingEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeCommandsTest extends CommandTestSupport {

    private PoolAddCommand poolAdd(String name, String... addresses) {
        PoolAddCommand c = new PoolAddCommand();
        c.natService = nat;
        c.name = name;
        c.addresses = List.of(addresses);
        return c;
    }

    private StaticAddCommand staticAdd(String protocol, String global, String inside) {
        StaticAddCommand c = new StaticAddCommand();
        c.natService = nat;
        c.protocol = protocol;
        c.global = global;
        c.inside = inside;
        return c;
    }

    private SessionClearCommand sessionClear() {
        SessionClearCommand c = new SessionClearCommand();
        c.natService = nat;
        return c;
    }

    @Test
    void poolAddWithDefaultsIsTheRecommendedPool() {
        poolAdd("public", "198.19.0.1", "198.19.0.8/29").execute();

        assertThat(nat.pools()).containsExactly(PoolDefinition.of("public",
                List.of(Ipv4Range.parse("198.19.0.1"), Ipv4Range.parse("198.19.0.8/29"))));
        assertThat(printed())
                .contains("Pool public added: 198.19.0.1,198.19.0.8-198.19.0.15 ports 1025-65535, EIM/ADF");
        assertThat(nat.keptPools()).as("kept, so it survives a restart").containsExactly("public");
    }

    @Test
    void poolAddReadsEveryOption() {
        PoolAddCommand c = poolAdd("cgn", "198.19.1.0-198.19.1.3");
        c.ports = "2000-2999";
        c.mapping = "address-and-port-dependent";
        c.filtering = "ENDPOINT_INDEPENDENT";
        c.noPairedPooling = true;
        c.quota = 64;
        c.noIcmp = true;

        c.execute();

        assertThat(nat.pools()).containsExactly(new PoolDefinition("cgn", List.of(Ipv4Range.parse("198.19.1.0/30")),
                2000, 2999, MappingBehavior.ADDRESS_AND_PORT_DEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT, false,
                64, false));
    }

    @Test
    void poolAddRefusesBadInputNamingTheArgument() {
        assertThatThrownBy(() -> poolAdd("public", "198.19.0.1", "198.19.0.x").execute())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ADDRESS \"198.19.0.x\" is not an IPv4 range");
        PoolAddCommand ports = poolAdd("public", "198.19.0.1");
        ports.ports = "70000";
        assertThatThrownBy(ports::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--ports \"70000\" is not a port range MIN-MAX with 1 <= MIN <= MAX <= 65535");
        PoolAddCommand mapping = poolAdd("public", "198.19.0.1");
        mapping.mapping = "symmetric";
        assertThatThrownBy(mapping::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--mapping must be endpoint-independent or address-and-port-dependent, was \"symmetric\"");
        PoolAddCommand filtering = poolAdd("public", "198.19.0.1");
        filtering.filtering = "open";
        assertThatThrownBy(filtering::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--filtering must be endpoint-independent, address-dependent or");
        PoolAddCommand quota = poolAdd("public", "198.19.0.1");
        quota.quota = -1;
        assertThatThrownBy(quota::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--quota must be >= 0, was -1");
        assertThatThrownBy(() -> poolAdd("Public", "198.19.0.1").execute())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pool \"Public\": name must be 1..32 characters");
        assertThatThrownBy(() -> poolAdd("public", "198.19.0.0/24", "198.19.0.7").execute())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pool \"public\": addresses must not overlap");
        assertThat(nat.pools()).isEmpty();
    }

    @Test
    void poolAddPassesOnTheServicesRefusals() {
        poolAdd("public", "198.19.0.0/24").execute();

        assertThatThrownBy(() -> poolAdd("public", "198.19.5.1").execute())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exists");
        assertThatThrownBy(() -> poolAdd("other", "198.19.0.128/25").execute())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
    }

    @Test
    void poolRemove() {
        populate();
        PoolRemoveCommand c = new PoolRemoveCommand();
        c.natService = nat;
        c.name = "cgn";

        c.execute();

        assertThat(nat.pools()).extracting(PoolDefinition::name).containsExactly("public");
        assertThat(nat.keptPools()).doesNotContain("cgn");
        assertThat(printed()).contains("Pool cgn removed");
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("NAME: there is no pool \"cgn\"");
    }

    @Test
    void staticAddAndRemove() {
        staticAdd("tcp", "198.19.0.1:8080", "10.0.0.9:80").execute();

        assertThat(nat.staticMappings()).containsExactly(
                new StaticMapping(Protocol.TCP, Endpoint.parse("198.19.0.1:8080"), Endpoint.parse("10.0.0.9:80")));
        assertThat(printed()).contains("Static mapping added: TCP 198.19.0.1:8080 -> 10.0.0.9:80");
        assertThat(nat.staticMappingEntries()).extracting(StaticMappingEntry::configuration)
                .as("kept, so it survives a restart").containsExactly("memory~TCP-198.19.0.1:8080");

        StaticRemoveCommand remove = new StaticRemoveCommand();
        remove.natService = nat;
        remove.protocol = "TCP";
        remove.global = "198.19.0.1:8080";
        remove.execute();

        assertThat(nat.staticMappings()).isEmpty();
        assertThat(printed()).contains("Static mapping removed: TCP 198.19.0.1:8080");
        assertThatThrownBy(remove::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GLOBAL: there is no static TCP mapping of 198.19.0.1:8080");
    }

    @Test
    void staticAddRefusesBadInputNamingTheArgument() {
        assertThatThrownBy(() -> staticAdd("icmp", "198.19.0.1:8080", "10.0.0.9:80").execute())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PROTOCOL must be tcp or udp, was \"icmp\"");
        assertThatThrownBy(() -> staticAdd("gre", "198.19.0.1:8080", "10.0.0.9:80").execute())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PROTOCOL must be tcp, udp or icmp, was \"gre\"");
        assertThatThrownBy(() -> staticAdd("udp", "198.19.0.1", "10.0.0.9:80").execute())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("GLOBAL \"198.19.0.1\" is not an endpoint a.b.c.d:port");
        assertThatThrownBy(() -> staticAdd("udp", "198.19.0.1:53", "10.0.0.9:0").execute())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("INSIDE \"10.0.0.9:0\" needs a port 1..65535");
        assertThatThrownBy(() -> staticAdd("udp", "198.19.0.1:0", "10.0.0.9:53").execute())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GLOBAL \"198.19.0.1:0\" needs a port 1..65535");
        assertThat(nat.staticMappings()).isEmpty();
    }

    @Test
    void staticAddPassesOnDuplicates() {
        staticAdd("tcp", "198.19.0.1:8080", "10.0.0.9:80").execute();

        assertThatThrownBy(() -> staticAdd("tcp", "198.19.0.1:8080", "10.0.0.10:80").execute())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already statically mapped");
        assertThatThrownBy(() -> staticAdd("tcp", "198.19.0.1:8081", "10.0.0.9:80").execute())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already statically mapped");
        // the same endpoints under the other protocol are a different mapping
        staticAdd("udp", "198.19.0.1:8080", "10.0.0.9:80").execute();
        assertThat(nat.staticMappings()).hasSize(2);
    }

    @Test
    void sessionClearWithAFilterDeletesOnlyTheMatches() {
        populate();
        SessionClearCommand c = sessionClear();
        c.inside = "10.0.0.2";

        c.execute();

        assertThat(nat.sessionCount()).isEqualTo(2);
        assertThat(printed()).contains("2 sessions deleted");
    }

    @Test
    void sessionClearByProtocolAndPool() {
        populate();
        SessionClearCommand c = sessionClear();
        c.protocol = "tcp";
        c.pool = "public";

        c.execute();

        assertThat(nat.sessionCount()).isEqualTo(3);
        assertThat(printed()).contains("1 session deleted");
    }

    @Test
    void sessionClearAllNeedsAll() {
        populate();
        SessionClearCommand refused = sessionClear();
        assertThatThrownBy(refused::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("give a filter");
        assertThat(nat.sessionCount()).isEqualTo(4);

        SessionClearCommand both = sessionClear();
        both.all = true;
        both.remote = "203.0.113.7";
        assertThatThrownBy(both::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--all deletes every session and cannot be combined with a filter");
        assertThat(nat.sessionCount()).isEqualTo(4);

        SessionClearCommand all = sessionClear();
        all.all = true;
        all.execute();
        assertThat(nat.sessionCount()).isZero();
        assertThat(printed()).contains("4 sessions deleted");
    }

    @Test
    void sessionClearRefusesBadFilters() {
        SessionClearCommand c = sessionClear();
        c.remote = "203.0.113";
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--remote \"203.0.113\" is not an IPv4 address a.b.c.d");
    }
}
