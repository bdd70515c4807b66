package dev.natgw.nat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.nat.fastpath.FragmentLimits;
import dev.natgw.testing.ConfigProxy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The fragment.* keys of {@code dev.natgw.nat}: defaults, values read, bad values refused naming the key. */
class FragmentSettingsTest {

    private static NatSettings settings(Map<String, ?> properties) {
        return NatSettings.of(ConfigProxy.of(NatConfig.class, properties));
    }

    @Test
    void defaultsAreTheDocumentedBounds() {
        FragmentLimits f = settings(Map.of()).fragments();
        assertThat(f).isEqualTo(FragmentLimits.DEFAULTS);
        assertThat(f.states()).isEqualTo(1024);
        assertThat(f.held()).isEqualTo(256);
        assertThat(f.perDatagram()).isEqualTo(64);
        assertThat(f.timeoutNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void readsEveryKeyAndKeepsThemThroughATimeoutChange() {
        NatSettings s = settings(Map.of("fragment.states", 0, "fragment.held", 9, "fragment.max.per.datagram", 2,
                "fragment.timeout", 1));
        assertThat(s.fragments()).isEqualTo(new FragmentLimits(0, 9, 2, 1_000_000_000L));
        assertThat(s.withTimeouts(s.timeouts()).fragments()).isEqualTo(s.fragments());
    }

    @ParameterizedTest
    @CsvSource({"fragment.states, -1, 'fragment.states must be >= 0, was -1'",
            "fragment.states, 1048577, 'fragment.states must be <= 1048576, was 1048577'",
            "fragment.held, 65537, 'fragment.held must be <= 65536, was 65537'",
            "fragment.max.per.datagram, 1, 'fragment.max.per.datagram must be 2..1024, was 1'",
            "fragment.max.per.datagram, 1025, 'fragment.max.per.datagram must be 2..1024, was 1025'",
            "fragment.timeout, 0, 'fragment.timeout must be > 0, was 0'"})
    void refusesBadValuesNamingTheKey(String key, int value, String message) {
        assertThatThrownBy(() -> settings(Map.of(key, value))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dev.natgw.nat: " + message);
    }
}
