package dev.natgw.console.model;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The Registry view's figures: the live entries under a key with the time each has left. The Registry API looks up
 * by key (it has no listing), so the view asks for a key, the forwarders' well-known one by default.
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
     * @param ttlLeft the time left, never negative
     */
    public record Row(String key, String value, String owner, Duration ttlLeft) {
    }

    /**
     * Everything the view shows.
     *
     * @param backend the registry's backend
     * @param key the key looked up
     * @param rows its entries, soonest to expire first
     */
    public record Snapshot(String backend, String key, List<Row> rows) {
    }

    /**
     * Checks a key as typed.
     *
     * @param key the key
     * @return the key, stripped
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String key(String key) {
        String k = key == null ? "" : key.strip();
        RegistryKeys.requireValid(k);
        return k;
    }

    /**
     * Reads the entries under a key.
     *
     * @param registry the registry, or null while absent
     * @param key a valid key
     * @param now the time now
     * @return the figures, or why there are none
     */
    public static Reading<Snapshot> read(Registry registry, String key, Instant now) {
        return Reading.of(registry, "The registry (Registry)", r -> {
            List<RegistryEntry> entries = r.lookup(key, ENTRIES_SHOWN);
            List<Row> rows = entries.stream()
                    .map(e -> new Row(e.key(), e.value(), e.owner() == null ? "" : e.owner(),
                            Duration.between(now, e.expires()).isNegative()
                                    ? Duration.ZERO
                                    : Duration.between(now, e.expires())))
                    .sorted(Comparator.comparing(Row::ttlLeft).thenComparing(Row::value)).toList();
            return new Snapshot(r.backend(), key, rows);
        });
    }
}
