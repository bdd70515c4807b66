package dev.natgw.api.nat;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the NAT event export (IPFIX and syslog, PID {@code dev.natgw.nat.export}): what it sent and lost. Registered
 * while the export's component runs, whether or not anything is configured to be exported. Safe from any thread.
 *
 * @since 1.5
 */
@ProviderType
public interface EventExportService {
    /** {@return the counters now, or null while nothing is exported (no collector and no syslog server set)} */
    EventExportStats stats();
}
