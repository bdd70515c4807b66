package dev.natgw.console.model;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The Registry view's figures: the live entries under every key that starts with a prefix (all keys by default),
 * with when each expires and the time it has left, through {@link Registry#list}, at most {@link #ENTRIES_SHOWN}.
 */
public final class RegistryModel {
    /** The most entries listed. */
    public static final int ENTRIES_SHOWN = 1000;

    private RegistryModel() {
    }

    /**
     * One entry.
     *
     * @param key the key
     * @param value the value
     * @param owner who announced it, or empty
     * @param expires when it expires unless announced again
     * @param ttlLeft the time left, never negative
     */
    public record Row(String key, String value, String owner, Instant expires, Duration ttlLeft) {
    }

    /**
     * Everything the view shows.
     *
     * @param backend the registry's backend
     * @param prefix the key prefix listed, empty for all keys
     * @param rows the entries, by key, then soonest to expire first
     * @param truncated whether there may be more than {@link #ENTRIES_SHOWN}
     */
    public record Snapshot(String backend, String prefix, List<Row> rows, boolean truncated) {
    }

    /**
     * Checks a key prefix as typed: empty for all keys, else the start of a valid key.
     *
     * @param prefix the prefix
     * @return the prefix, stripped
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String prefix(String prefix) {
        String p = prefix == null ? "" : prefix.strip();
        if (!p.isEmpty()) {
            RegistryKeys.requireValid(p);
        }
        return p;
    }

    /**
     * Reads the entries under the keys that start with a prefix.
     *
     * @param registry the registry, or null while absent
     * @param prefix a prefix checked by {@link #prefix}, empty for all keys
     * @param now the time now
     * @return the figures, or why there are none
     */
    public static Reading<Snapshot> read(Registry registry, String prefix, Instant now) {
        return Reading.of(registry, "The registry (Registry)", r -> {
            List<RegistryEntry> entries = r.list(prefix, ENTRIES_SHOWN);
            List<Row> rows = entries.stream()
                    .map(e -> new Row(e.key(), e.value(), e.owner() == null ? "" : e.owner(), e.expires(),
                            Duration.between(now, e.expires()).isNegative()
                                    ? Duration.ZERO
                                    : Duration.between(now, e.expires())))
                    .sorted(Comparator.comparing(Row::key).thenComparing(Row::ttlLeft).thenComparing(Row::value))
                    .toList();
            return new Snapshot(r.backend(), prefix, rows, entries.size() >= ENTRIES_SHOWN);
        });
    }
}
