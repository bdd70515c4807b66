package dev.natgw.registry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.natgw.api.registry.RegistryEntry;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.karaf.shell.support.table.ShellTable;

/** How the registry commands print entries, as a table or as JSON. Stateless. */
final class EntryTable {

    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** The JSON shape of one entry. */
    record Json(String key, String value, String owner, String expires, long expiresInSeconds) {
    }

    private EntryTable() {
    }

    static void print(List<RegistryEntry> entries, Instant now, PrintStream out, boolean noFormat) {
        ShellTable table = new ShellTable();
        table.column("Key");
        table.column("Value");
        table.column("Owner");
        table.column("Expires in").alignRight();
        for (RegistryEntry e : entries) {
            table.addRow().addContent(e.key(), e.value(), e.owner() == null ? "" : e.owner(),
                    expiresIn(e, now));
        }
        table.print(out, !noFormat);
    }

    static List<Json> json(List<RegistryEntry> entries, Instant now) {
        return entries.stream()
                .map(e -> new Json(e.key(), e.value(), e.owner(), e.expires().toString(), secondsLeft(e, now)))
                .toList();
    }

    /** {@return the time left, rounded up to whole seconds: "29s", "4m 10s", "1h 0m 0s"} */
    static String expiresIn(RegistryEntry e, Instant now) {
        long s = secondsLeft(e, now);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        return s / 3600 + "h " + s % 3600 / 60 + "m " + s % 60 + "s";
    }

    private static long secondsLeft(RegistryEntry e, Instant now) {
        Duration left = Duration.between(now, e.expires());
        if (left.isNegative()) {
            return 0;
        }
        return left.toSeconds() + (left.toNanosPart() > 0 ? 1 : 0);
    }
}
