package dev.natgw.forwarder.internal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The admission part of a {@link ForwarderConfig}, checked: whether the forwarder is open, where credentials are
 * kept, and the limits counted by prefix. Every refusal names the configuration key. Immutable.
 *
 * @param open whether any proven key may register
 * @param credentialsFile where {@link Credentials} are kept; null to keep them in memory only (tests, benchmarks)
 */
public record AdmissionSettings(boolean open, Path credentialsFile, int maxConnectionsPerSource,
        int maxConnectionsPerNetwork, int ratePerSource, int ratePerNetwork, int maxServersPerSource,
        int maxServersPerNetwork, int maxRelaysPerSource, int maxRelaysPerNetwork, Duration renewalWindow) {

    /**
     * @throws IllegalArgumentException naming the key at fault
     */
    public static AdmissionSettings of(ForwarderConfig c) {
        String file = c.credentials_file() == null ? "" : c.credentials_file().strip();
        Path path;
        if (file.isEmpty()) {
            String data = System.getProperty("karaf.data");
            path = data == null ? Path.of("data") : Path.of(data);
            path = path.resolve("natgw").resolve("forwarder-credentials.properties");
        } else {
            try {
                path = Path.of(file);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("credentials.file is not a path: \"" + file + "\"");
            }
        }
        return new AdmissionSettings(c.admission_open(), path,
                range("max.connections.per.source", c.max_connections_per_source(), 1, 1_000_000),
                range("max.connections.per.network", c.max_connections_per_network(), 1, 1_000_000),
                range("rate.per.source", c.rate_per_source(), 1, 1_000_000),
                range("rate.per.network", c.rate_per_network(), 1, 1_000_000),
                range("max.servers.per.source", c.max_servers_per_source(), 1, 1_000_000),
                range("max.servers.per.network", c.max_servers_per_network(), 1, 1_000_000),
                range("max.relays.per.source", c.max_relays_per_source(), 1, 1_000_000),
                range("max.relays.per.network", c.max_relays_per_network(), 1, 1_000_000),
                Duration.ofSeconds(range("renewal.window", c.renewal_window(), 0, 86_400)));
    }

    /** Open admission with credentials in memory and the per-source limits of these settings (benchmarks). */
    public static AdmissionSettings open(ForwarderSettings s) {
        return new AdmissionSettings(true, null, s.maxConnectionsPerSource(), 1_000_000, s.ratePerSource(),
                1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, Duration.ZERO);
    }

    private static int range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", was " + value);
        }
        return value;
    }
}
