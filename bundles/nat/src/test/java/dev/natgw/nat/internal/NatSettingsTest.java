package dev.natgw.nat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.testing.ConfigProxy;
import java.time.Duration;
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
            "event.ring, 0, > 0"})
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
