package dev.natgw.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.StaticMappingEntry;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.internal.PoolConfig;
import dev.natgw.nat.internal.StaticMappingConfig;
import dev.natgw.nat.internal.StaticMappingConfigs;
import dev.natgw.testing.ConfigProxy;
import dev.natgw.testing.InMemoryConfigAdmin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools and static mappings kept by the commands' API methods: written through Config Admin as factory
 * configurations, applied again without effect by the configurators DS makes of them, back in a new translator
 * (a restart) from the same configurations, and gone with their configuration when removed. A configured mapping
 * that clashes is kept refused, listed, and applied once the clash is gone. The configurators are built here as DS
 * builds them, from what Config Admin holds.
 */
class PersistentForwardsTest {
    static final PoolDefinition LAB = new PoolDefinition("lab", List.of(Ipv4Range.parse("198.19.1.0/30"),
            Ipv4Range.parse("198.19.2.5")), 2000, 2999, MappingBehavior.ADDRESS_AND_PORT_DEPENDENT,
            FilteringBehavior.ENDPOINT_INDEPENDENT, false, 64, false);
    static final StaticMapping WEB = new StaticMapping(Protocol.TCP, Endpoint.parse("198.19.0.1:8080"),
            Endpoint.parse("198.18.0.10:80"));
    static final StaticMapping OTHER_WEB = new StaticMapping(Protocol.TCP, Endpoint.parse("198.19.0.1:8080"),
            Endpoint.parse("198.18.0.11:80"));
    static final String WEB_PID = "dev.natgw.nat.static~tcp-198.19.0.1-8080";

    final InMemoryConfigAdmin admin = new InMemoryConfigAdmin();
    final List<NatManager> nats = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nats.forEach(NatManager::close);
    }

    NatManager translator() {
        NatManager n = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1024, 1024, Duration.ofSeconds(30),
                1024, OtherProtocolPolicy.DROP, false, 1024));
        n.setConfigurationAdmin(admin);
        nats.add(n);
        return n;
    }

    /** What DS hands a factory component: the configuration's properties, with its PID. */
    Map<String, Object> withPid(String pid) {
        Map<String, Object> props = new HashMap<>(admin.properties(pid));
        props.put("service.pid", pid);
        return props;
    }

    PoolConfigurator poolConfigurator(NatManager n, String pid) {
        return new PoolConfigurator(n, ConfigProxy.of(PoolConfig.class, admin.properties(pid)), withPid(pid));
    }

    StaticMappingConfigurator staticConfigurator(NatManager n, String pid) {
        return new StaticMappingConfigurator(n, ConfigProxy.of(StaticMappingConfig.class, admin.properties(pid)),
                withPid(pid));
    }

    @Test
    void aSavedPoolIsWrittenComesBackAfterARestartAndGoesWithItsConfiguration() {
        NatManager nat = translator();
        nat.savePool(LAB);
        assertThat(nat.pools()).containsExactly(LAB);
        assertThat(admin.pids()).containsExactly("dev.natgw.nat.pool~lab");
        assertThat(admin.properties("dev.natgw.nat.pool~lab")).containsEntry("ports", "2000-2999")
                .containsEntry("mapping", "ADDRESS_AND_PORT_DEPENDENT").containsEntry("per.host.quota", "64")
                .containsEntry("addresses", "198.19.1.0-198.19.1.3, 198.19.2.5");

        // DS makes the configurator, which adds the pool again: the same definition, so nothing changes
        PoolConfigurator configurator = poolConfigurator(nat, "dev.natgw.nat.pool~lab");
        assertThat(nat.pools()).containsExactly(LAB);

        NatManager restarted = translator();
        poolConfigurator(restarted, "dev.natgw.nat.pool~lab");
        assertThat(restarted.pools()).as("the same pool, read back from its configuration").containsExactly(LAB);

        assertThat(nat.deletePool("lab")).isTrue();
        assertThat(nat.pools()).isEmpty();
        assertThat(admin.pids()).isEmpty();
        configurator.deactivate();
        assertThat(nat.pools()).isEmpty();
        assertThat(nat.deletePool("lab")).isFalse();
    }

    @Test
    void aSavedStaticMappingIsWrittenComesBackAfterARestartAndGoesWithItsConfiguration() {
        NatManager nat = translator();
        nat.saveStaticMapping(WEB);
        assertThat(admin.pids()).containsExactly(WEB_PID);
        assertThat(admin.properties(WEB_PID)).isEqualTo(
                Map.of("protocol", "TCP", "global", "198.19.0.1:8080", "inside", "198.18.0.10:80"));

        StaticMappingConfigurator configurator = staticConfigurator(nat, WEB_PID);
        assertThat(nat.staticMappingEntries()).containsExactly(new StaticMappingEntry(WEB, WEB_PID, ""));

        NatManager restarted = translator();
        staticConfigurator(restarted, WEB_PID);
        assertThat(restarted.staticMappings()).containsExactly(WEB);

        assertThat(nat.deleteStaticMapping(Protocol.TCP, WEB.global())).isTrue();
        assertThat(nat.staticMappings()).isEmpty();
        assertThat(admin.pids()).isEmpty();
        configurator.deactivate(4); // DEACTIVATION_REASON_CONFIGURATION_DELETED
        assertThat(nat.staticMappingEntries()).isEmpty();
        assertThat(nat.deleteStaticMapping(Protocol.TCP, WEB.global())).isFalse();
    }

    @Test
    void onKarafEachKeptConfigurationIsAFileInEtcThatItsRemovalDeletes(@TempDir Path etc) throws IOException {
        NatManager nat = translator();
        nat.kept.configurations.setEtc(etc);
        nat.savePool(LAB);
        nat.saveStaticMapping(WEB);
        Path pool = etc.resolve("dev.natgw.nat.pool-lab.cfg");
        Path web = etc.resolve("dev.natgw.nat.static-tcp-198.19.0.1-8080.cfg");
        assertThat(Files.readAllLines(pool)).contains("addresses = 198.19.1.0-198.19.1.3, 198.19.2.5",
                "ports = 2000-2999", "paired.pooling = false", "per.host.quota = 64");
        assertThat(Files.readAllLines(web)).contains("protocol = TCP", "global = 198.19.0.1:8080",
                "inside = 198.18.0.10:80");
        // Karaf's file installer knows the configuration by its file, so it reads the file back as the same one
        assertThat(admin.properties("dev.natgw.nat.pool~lab")).containsEntry("felix.fileinstall.filename",
                pool.toUri().toString());

        nat.deletePool("lab");
        nat.deleteStaticMapping(Protocol.TCP, WEB.global());
        assertThat(pool).doesNotExist();
        assertThat(web).doesNotExist();
        assertThat(admin.pids()).isEmpty();
    }

    @Test
    void aConfiguredMappingThatClashesIsRefusedListedAndAppliesOnceTheClashIsGone() {
        NatManager nat = translator();
        assertThat(nat.configureStaticMapping("dev.natgw.nat.static~web", WEB)).isEmpty();
        String why = nat.configureStaticMapping("dev.natgw.nat.static~web2", OTHER_WEB);
        assertThat(why).isEqualTo("static mapping TCP 198.19.0.1:8080 -> 198.18.0.11:80 clashes with"
                + " TCP 198.19.0.1:8080 -> 198.18.0.10:80 of dev.natgw.nat.static~web");
        assertThat(nat.staticMappings()).containsExactly(WEB);
        assertThat(nat.staticMappingEntries()).containsExactly(
                new StaticMappingEntry(WEB, "dev.natgw.nat.static~web", ""),
                new StaticMappingEntry(OTHER_WEB, "dev.natgw.nat.static~web2", why));
        assertThat(nat.configureStaticMapping("dev.natgw.nat.static~web2", OTHER_WEB)).as("the same again")
                .isEqualTo(why);

        assertThat(nat.unconfigureStaticMapping("dev.natgw.nat.static~web")).isTrue();
        assertThat(nat.staticMappingEntries()).containsExactly(
                new StaticMappingEntry(OTHER_WEB, "dev.natgw.nat.static~web2", ""));
    }

    @Test
    void aCommandThatClashesIsRefusedToItsCallerAndWritesNothing() {
        NatManager nat = translator();
        nat.saveStaticMapping(WEB);
        assertThatThrownBy(() -> nat.saveStaticMapping(OTHER_WEB)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clashes with TCP 198.19.0.1:8080 -> 198.18.0.10:80");
        nat.savePool(LAB);
        assertThatThrownBy(() -> nat.savePool(LAB)).hasMessageContaining("exists already");
        assertThat(admin.pids()).containsExactly(WEB_PID, "dev.natgw.nat.pool~lab");
        assertThat(nat.staticMappingEntries()).hasSize(1);
    }

    @Test
    void withoutConfigAdminNothingIsAddedAndTheCallerIsTold() {
        NatManager nat = translator();
        nat.unsetConfigurationAdmin(admin);
        assertThatThrownBy(() -> nat.savePool(LAB)).isInstanceOf(IllegalStateException.class)
                .hasMessage("pool lab cannot be kept: Config Admin is not running");
        assertThatThrownBy(() -> nat.saveStaticMapping(WEB)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be kept");
        assertThat(nat.pools()).isEmpty();
        assertThat(nat.staticMappings()).isEmpty();
    }

    @Test
    void aMappingInForceWithoutConfigurationIsTakenOverByOneThatHoldsTheSame() {
        // as after a bundle update: the previous revision's mappings are handed over before the configurators run
        NatManager nat = translator();
        nat.addStaticMapping(WEB);
        assertThat(nat.staticMappingEntries()).containsExactly(new StaticMappingEntry(WEB, "", ""));
        assertThat(nat.configureStaticMapping(WEB_PID, WEB)).isEmpty();
        assertThat(nat.staticMappingEntries()).containsExactly(new StaticMappingEntry(WEB, WEB_PID, ""));
    }

    @Test
    void aMappingStaysInForceWhenItsBundleStopsSoAnUpdateHandsItOver() {
        NatManager nat = translator();
        nat.saveStaticMapping(WEB);
        staticConfigurator(nat, WEB_PID).deactivate(StaticMappingConfigurator.BUNDLE_STOPPED);
        assertThat(nat.staticMappings()).containsExactly(WEB);
        staticConfigurator(nat, WEB_PID).deactivate(1); // DEACTIVATION_REASON_DISABLED
        assertThat(nat.staticMappings()).isEmpty();
    }

    @Test
    void aBadValueIsRefusedNamingItsKey() {
        assertThatThrownBy(() -> StaticMappingConfigs.toMapping("dev.natgw.nat.static~x",
                ConfigProxy.of(StaticMappingConfig.class, "global", "198.19.0.1", "inside", "198.18.0.10:80")))
                .hasMessageStartingWith("dev.natgw.nat.static~x: global \"198.19.0.1\" is not address:port");
        assertThatThrownBy(() -> StaticMappingConfigs.toMapping("dev.natgw.nat.static~x",
                ConfigProxy.of(StaticMappingConfig.class, "protocol", "icmp", "global", "198.19.0.1:1", "inside",
                        "198.18.0.10:80")))
                .hasMessage("dev.natgw.nat.static~x: protocol must be TCP or UDP, was \"icmp\"");
    }
}
