package dev.natgw.nat.export;

import dev.natgw.api.nat.EventExportService;
import dev.natgw.api.nat.EventExportStats;
import dev.natgw.nat.internal.NatEventSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NAT event export as configured by PID {@value ExportSettings#PID}: registers a {@link NatEventSink} the
 * translator's event thread feeds, and hands the events to an {@link EventExporter}, replaced whole when the
 * configuration changes. With no collector and no syslog server configured (the default) it sends nothing and
 * starts no thread.
 */
@Component(service = {NatEventSink.class, EventExportService.class}, configurationPid = ExportSettings.PID)
@Designate(ocd = ExportConfig.class)
public final class EventExportManager implements NatEventSink, EventExportService {
    private static final Logger LOG = LoggerFactory.getLogger(EventExportManager.class);

    private volatile EventExporter exporter;

    /**
     * Starts export.
     *
     * @param config the configuration
     * @throws IllegalArgumentException naming the field if the configuration is invalid
     */
    @Activate
    public EventExportManager(ExportConfig config) {
        exporter = start(ExportSettings.of(config));
    }

    @Modified
    void modified(ExportConfig config) {
        EventExporter next = start(ExportSettings.of(config));
        EventExporter old = exporter;
        exporter = next;
        if (old != null) {
            old.close();
        }
    }

    /** Stops export; for tests, which build the manager with {@code new}. */
    @Deactivate
    public void deactivate() {
        EventExporter old = exporter;
        exporter = null;
        if (old != null) {
            old.close();
        }
        LOG.info("NAT event export stopped");
    }

    @Override
    public EventExportStats stats() {
        EventExporter e = exporter;
        return e == null ? null : e.stats();
    }

    @Override
    public void event(int type, int proto, int poolSlot, String poolName, int inAddr, int inPort, int outAddr,
            int outPort, long epochMillis) {
        EventExporter e = exporter;
        if (e != null) {
            e.event(type, proto, poolSlot, poolName, inAddr, inPort, outAddr, outPort, epochMillis);
        }
    }

    private static EventExporter start(ExportSettings s) {
        if (s.collectors().isEmpty() && s.syslog().isEmpty()) {
            LOG.info("NAT event export: no IPFIX collector and no syslog server configured");
            return null;
        }
        try {
            LOG.info("NAT event export: IPFIX over {} to {}, syslog to {}", s.tcp() ? "TCP" : "UDP", s.collectors(),
                    s.syslog());
            return new EventExporter(s, System::currentTimeMillis);
        } catch (IOException e) {
            throw new UncheckedIOException("NAT event export: cannot open a socket", e);
        }
    }
}
