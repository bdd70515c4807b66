package dev.natgw.api.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryKeysTest {
    @ParameterizedTest
    @ValueSource(strings = {"natgw/forwarders", "a", "server:ABC-1.2_x~y"})
    void acceptsValidKeys(String key) {
        assertThat(RegistryKeys.requireValid(key)).isSameAs(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "ü", "a*b", "a?b", "a#b"})
    void rejectsInvalidKeys(String key) {
        assertThatThrownBy(() -> RegistryKeys.requireValid(key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key");
    }

    @Test
    void boundsLengths() {
        assertThat(RegistryKeys.requireValid("k".repeat(256))).hasSize(256);
        assertThatThrownBy(() -> RegistryKeys.requireValid("k".repeat(257))).hasMessageContaining("257");
        assertThat(RegistryKeys.requireValidValue("v".repeat(4096))).hasSize(4096);
        assertThatThrownBy(() -> RegistryKeys.requireValidValue("v".repeat(4097))).hasMessageContaining("value");
        assertThatThrownBy(() -> RegistryKeys.requireValidValue("")).hasMessageContaining("value");
        assertThatThrownBy(() -> RegistryKeys.requireValid(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void entryValidates() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(new RegistryEntry("natgw/forwarders", "198.19.0.1:7000", null, t).owner()).isNull();
        assertThatThrownBy(() -> new RegistryEntry("bad key", "v", null, t)).hasMessageContaining("key");
        assertThatThrownBy(() -> new RegistryEntry("k", "v", "me", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("expires");
    }
}
