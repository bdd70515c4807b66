package dev.natgw.nat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.testing.ConfigProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class NatSettingsTest {

    private static NatSettings settings(Map<String, ?> properties) {
        return NatSettings.of(ConfigProxy.of(NatConfig.class, properties));
    }

    @Test
    void defaultsAreTheRfcTimeoutsAndTheDocumentedSizes() {
        NatSettings s = settings(Map.of());

        assertThat(s.timeouts()).isEqualTo(Timeouts.RFC_DEFAULTS);
        assertThat(s.sessionsMax()).isEqualTo(1048576);
        assertThat(s.hostsMax()).isEqualTo(65536);
        assertThat(s.holdDown()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.holdCapacity()).isEqualTo(262144);
        assertThat(s.otherProtocols()).isEqualTo(OtherProtocolPolicy.DROP);
        assertThat(s.eventLog()).isTrue();
        assertThat(s.eventRing()).isEqualTo(65536);
        assertThat(s.sources()).as("the metatype's defaults are the record's").isEqualTo(SourceRules.DEFAULTS);
        assertThat(s.icmpAnswersPerSecond()).isEqualTo(NatSettings.DEFAULT_ICMP_ANSWERS).isEqualTo(100);
        assertThat(s.udpUnanswered()).isEqualTo(NatSettings.DEFAULT_UDP_UNANSWERED).hasSeconds(30);
        assertThat(s.sources().insidePrefixes()).extracting(Ipv4Range::first).containsExactly(Ipv4.parse("10.0.0.0"),
                Ipv4.parse("100.64.0.0"), Ipv4.parse("172.16.0.0"), Ipv4.parse("192.168.0.0"),
                Ipv4.parse("198.18.0.0"));
        assertThat(s.sources().icmpErrorsFromQuotedDestination()).isTrue();
        assertThat(s.refresh()).isEqualTo(NatSettings.RefreshDirection.OUTBOUND);
    }

    @Test
    void readsTheRefreshDirectionAndRefusesAnotherWord() {
        assertThat(settings(Map.of("refresh.direction", "BOTH")).refresh())
                .isEqualTo(NatSettings.RefreshDirection.BOTH);
        assertThatThrownBy(() -> settings(Map.of("refresh.direction", "INBOUND")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dev.natgw.nat: refresh.direction");
    }

    @Test
    void readsInsidePrefixesAsListsOrOneCommaSeparatedValue() {
        SourceRules listed = settings(Map.of("inside.prefixes", new String[]{"198.18.0.0/24", "198.18.1.1-198.18.1.9"},
                "inside.icmp.errors", "inside_prefixes")).sources();
        // a .cfg file's "a, b" reaches the component as one element
        SourceRules joined = settings(Map.of("inside.prefixes", new String[]{"198.18.0.0/24, 198.18.1.1-198.18.1.9"},
                "inside.icmp.errors", "INSIDE_PREFIXES")).sources();
        assertThat(listed).isEqualTo(joined).isEqualTo(new SourceRules(List.of(Ipv4Range.parse("198.18.0.0/24"),
                Ipv4Range.parse("198.18.1.1-198.18.1.9")), false));
    }

    @Test
    void refusesBadInsidePrefixesNamingTheKey() {
        assertThatThrownBy(() -> settings(Map.of("inside.prefixes", new String[]{"198.18.0.1/24"}))).hasMessage(
                "dev.natgw.nat: inside.prefixes \"198.18.0.1/24\" is not an IPv4 range: \"198.18.0.1/24\" has host"
                        + " bits set");
        assertThatThrownBy(() -> settings(Map.of("inside.prefixes", new String[]{" "}))).hasMessageStartingWith(
                "dev.natgw.nat: inside.prefixes must list 1..64 ranges, were 0");
        String[] tooMany = new String[65];
        for (int k = 0; k < tooMany.length; k++) {
            tooMany[k] = "198.18.0." + k;
        }
        assertThatThrownBy(() -> settings(Map.of("inside.prefixes", tooMany))).hasMessageStartingWith(
                "dev.natgw.nat: inside.prefixes must list 1..64 ranges, were 65");
        assertThatThrownBy(() -> settings(Map.of("inside.icmp.errors", "ANYONE"))).hasMessage(
                "dev.natgw.nat: inside.icmp.errors must be QUOTED_DESTINATION or INSIDE_PREFIXES, was \"ANYONE\"");
    }

    @Test
    void readsEveryKey() {
        NatSettings s = settings(Map.ofEntries(Map.entry("sessions.max", 1000), Map.entry("hosts.max", 10),
                Map.entry("timeout.udp", 1), Map.entry("timeout.tcp.established", 2),
                Map.entry("timeout.tcp.transitory", 3), Map.entry("timeout.icmp", 4),
                Map.entry("timeout.tcp.syn.hold", 5), Map.entry("port.hold.down", 0),
                Map.entry("port.hold.capacity", 7), Map.entry("other.protocols", "address_only"),
                Map.entry("event.log", false), Map.entry("event.ring", 8)));

        assertThat(s).isEqualTo(new NatSettings(new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(5)), 1000, 10, Duration.ZERO, 7,
                OtherProtocolPolicy.ADDRESS_ONLY, false, 8));
    }

    @ParameterizedTest
    @CsvSource({"sessions.max, 0, > 0", "hosts.max, -5, > 0", "timeout.udp, -1, > 0",
            "timeout.tcp.established, 0, > 0", "timeout.tcp.transitory, 0, > 0", "timeout.icmp, -60, > 0",
            "timeout.tcp.syn.hold, 0, > 0", "port.hold.down, -1, >= 0", "port.hold.capacity, 0, > 0",
            "event.ring, 0, > 0", "icmp.answers.per.second, -1, >= 0", "timeout.udp.unanswered, 0, > 0"})
    void refusesANumberOutOfRangeNamingTheKeyAndValue(String key, int value, String rule) {
        assertThatThrownBy(() -> settings(Map.of(key, value))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat: " + key + " must be " + rule + ", was " + value);
    }

    @Test
    void refusesAnUnknownOtherProtocolPolicy() {
        assertThatThrownBy(() -> settings(Map.of("other.protocols", "NAT64")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat: other.protocols must be ADDRESS_ONLY or DROP, was \"NAT64\"");
    }

    @Test
    void theRecordItselfRefusesImpossibleValues() {
        assertThatThrownBy(() -> new NatSettings(Timeouts.RFC_DEFAULTS, 0, 1, Duration.ZERO, 1,
                OtherProtocolPolicy.DROP, true, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NatSettings(Timeouts.RFC_DEFAULTS, 1, 1, Duration.ofSeconds(-1), 1,
                OtherProtocolPolicy.DROP, true, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
