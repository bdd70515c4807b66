package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.console.Fakes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RegistryModelTest {

    @Test
    void entriesWithTheTimeTheyHaveLeftSoonestFirst() {
        Instant now = Instant.parse("2026-11-21T12:00:00Z");
        Fakes.TestRegistry registry = new Fakes.TestRegistry(Clock.fixed(now, ZoneOffset.UTC));
        registry.announce("natgw/forwarders", "127.0.0.1:7443", Duration.ofSeconds(60));
        registry.announce("natgw/forwarders", "127.0.0.1:7444", Duration.ofSeconds(20));
        registry.announce("other", "x", Duration.ofSeconds(20));

        RegistryModel.Snapshot s = RegistryModel.read(registry, "natgw/", now.plusSeconds(5)).value();
        assertThat(s.backend()).isEqualTo("embedded");
        assertThat(s.truncated()).isFalse();
        assertThat(s.rows()).extracting(RegistryModel.Row::value).containsExactly("127.0.0.1:7444",
                "127.0.0.1:7443");
        assertThat(s.rows()).extracting(RegistryModel.Row::ttlLeft).containsExactly(Duration.ofSeconds(15),
                Duration.ofSeconds(55));
        assertThat(s.rows().getFirst().expires()).isEqualTo(now.plusSeconds(20));

        // all keys, by key
        RegistryModel.Snapshot all = RegistryModel.read(registry, "", now.plusSeconds(5)).value();
        assertThat(all.rows()).extracting(RegistryModel.Row::key).containsExactly("natgw/forwarders",
                "natgw/forwarders", "other");
    }

    @Test
    void badKeyIsRefusedAndAbsentRegistryIsAMessage() {
        assertThat(RegistryModel.prefix("  natgw/forwarders ")).isEqualTo("natgw/forwarders");
        assertThat(RegistryModel.prefix("natgw/")).isEqualTo("natgw/");
        assertThat(RegistryModel.prefix(" ")).isEmpty();
        assertThatThrownBy(() -> RegistryModel.prefix("bad key")).isInstanceOf(IllegalArgumentException.class);
        assertThat(RegistryModel.read(null, "k", Instant.now()).message()).contains("Registry");
    }
}
