package dev.natgw.registry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.registry.internal.EmbeddedBackend;
import dev.natgw.registry.internal.MutableClock;
import dev.natgw.testing.StdoutCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryCommandsTest extends StdoutCapture {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    private final ExecutorService events = Executors.newSingleThreadExecutor();
    private final EmbeddedBackend registry = new EmbeddedBackend("natgw-a1", clock, events, null, 100, 10);

    @BeforeEach
    void fill() {
        registry.announce("fwd", "198.19.0.1:7000", Duration.ofSeconds(30));
        registry.announce("fwd", "198.19.0.2:7000", Duration.ofSeconds(90));
        registry.announce("srv/k1", "fwd-a", Duration.ofMinutes(60));
        clock.advance(Duration.ofMillis(500));
    }

    @AfterEach
    void closeRegistry() throws InterruptedException {
        registry.close();
        events.shutdown();
        assertThat(events.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    private RegistryListCommand list() {
        RegistryListCommand command = new RegistryListCommand();
        command.browser = registry;
        command.registry = registry;
        command.clock = clock;
        return command;
    }

    private RegistryLookupCommand lookup(String key) {
        RegistryLookupCommand command = new RegistryLookupCommand();
        command.registry = registry;
        command.clock = clock;
        command.key = key;
        return command;
    }

    @Test
    void listShowsKeysWithTheirCounts() throws Exception {
        RegistryListCommand command = list();
        command.noFormat = true;

        command.execute();

        // --no-format: rows only, no header, for scripts
        assertThat(printed()).isEqualToIgnoringWhitespace("fwd 2 srv/k1 1");
    }

    @Test
    void listWithAKeyPrefixShowsEntries() throws Exception {
        RegistryListCommand command = list();
        command.key = "fw";

        command.execute();

        assertThat(printed()).containsPattern("fwd\\s+\\|\\s+198\\.19\\.0\\.1:7000\\s+\\|\\s+natgw-a1\\s+\\|\\s+30s")
                .containsPattern("198\\.19\\.0\\.2:7000.*1m 30s").doesNotContain("srv/k1");
    }

    @Test
    void listSpeaksJson() throws Exception {
        RegistryListCommand command = list();
        command.json = true;
        command.execute();
        JsonNode keys = new ObjectMapper().readTree(printed());
        assertThat(keys.get("backend").asText()).isEqualTo("embedded");
        assertThat(keys.get("owner").asText()).isEqualTo("natgw-a1");
        assertThat(keys.get("keys")).hasSize(2);
        assertThat(keys.get("keys").get(0).get("key").asText()).isEqualTo("fwd");
        assertThat(keys.get("keys").get(0).get("entries").asInt()).isEqualTo(2);

        clearPrinted();
        command.key = "srv/";
        command.execute();
        JsonNode entries = new ObjectMapper().readTree(printed());
        assertThat(entries.get("prefix").asText()).isEqualTo("srv/");
        assertThat(entries.get("entries").get(0).get("value").asText()).isEqualTo("fwd-a");
        assertThat(entries.get("entries").get(0).get("expiresInSeconds").asLong()).isEqualTo(3600);
    }

    @Test
    void lookupPrintsTheEntriesUnderAKey() throws Exception {
        RegistryLookupCommand command = lookup("srv/k1");
        command.noFormat = true;

        command.execute();

        assertThat(printed()).containsPattern("^srv/k1\\s+fwd-a\\s+natgw-a1\\s+1h 0m 0s\\s*$");
    }

    @Test
    void lookupHonoursMaxAndSpeaksJson() throws Exception {
        RegistryLookupCommand command = lookup("fwd");
        command.max = 1;
        command.json = true;

        command.execute();

        JsonNode root = new ObjectMapper().readTree(printed());
        assertThat(root.get("key").asText()).isEqualTo("fwd");
        assertThat(root.get("entries")).hasSize(1);
        assertThat(root.get("entries").get(0).get("owner").asText()).isEqualTo("natgw-a1");
        assertThat(root.get("entries").get(0).get("expires").asText()).startsWith("2026-11-21T12:0");
    }

    @Test
    void lookupOfAnUnknownKeyPrintsAnEmptyTable() throws Exception {
        RegistryLookupCommand command = lookup("nothing");

        command.execute();

        assertThat(printed()).containsPattern("Key\\s+\\|\\s+Value\\s+\\|\\s+Owner\\s+\\|\\s+Expires in")
                .doesNotContain("natgw-a1");
    }
}
