package dev.natgw.console.metrics;

import dev.natgw.api.nat.EventExportService;
import dev.natgw.api.nat.EventExportStats;
import dev.natgw.api.nat.FragmentUsage;
import dev.natgw.console.Fakes;
import dev.natgw.console.internal.ServiceBridge;
import dev.natgw.testing.InMemoryNatAdmin;
import dev.natgw.testing.RegistryAdapter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * /metrics as {@link MetricsServlet} writes it, rendered from {@link NatgwMetrics} over services that have a figure
 * in every family (a pool with ports on two workers, sessions, drops of every kind, fragments, an IPFIX collector,
 * a listening forwarder), so that every name natgw can export appears; and the exposition read back into families.
 */
final class Exposition {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? \\S+$");
    private static final Pattern META = Pattern.compile("^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$");

    private Exposition() {
    }

    /** A NAT with the console's figures plus two workers' fragment state. */
    static final class FiguresNat extends InMemoryNatAdmin {
        @Override
        public List<FragmentUsage> fragmentUsage() {
            return List.of(new FragmentUsage(0, 3, 2, 330_000), new FragmentUsage(1, 0, 0, 330_000));
        }
    }

    /** {@return an export service that sent to one collector and lost some} */
    static EventExportService exporting() {
        return () -> new EventExportStats(2, 5, 1200, 40, 1, List.of(
                new EventExportStats.Collector("127.0.0.1:4739", "ipfix-udp", 30, 1195, 3, "sending")));
    }

    /** {@return the services with figures in every family, event export included} */
    static ServiceBridge everyFamily() {
        ServiceBridge services = new ServiceBridge();
        InMemoryNatAdmin nat = new FiguresNat();
        Fakes.GoingNat figures = Fakes.natWithFigures();
        figures.pools().forEach(nat::addPool);
        nat.setPortUsage(figures.portUsage("default"));
        nat.setHeldPorts("default", 3);
        nat.setSessions(figures.sessions(dev.natgw.api.nat.SessionFilter.ALL, 100));
        nat.setCounters(figures.counters());
        services.nat(nat);
        Fakes.TestDataplane dp = new Fakes.TestDataplane();
        dp.rx.set(4242);
        services.dataplane(dp);
        services.forwarder(new Fakes.TestForwarder());
        services.registry(new RegistryAdapter());
        return services;
    }

    /** {@return the exposition text of one scrape} */
    static String render(NatgwMetrics metrics) {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** {@return the exposition of a scrape over {@link #everyFamily()} with {@link #exporting()}} */
    static String full() {
        EventExportService export = exporting();
        return render(new NatgwMetrics(everyFamily(), () -> export));
    }

    /** {@return the sample names in an exposition (counters with their {@code _total}), in order} */
    static Set<String> sampleNames(String text) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a sample line: " + line);
            }
            names.add(m.group(1));
        }
        return names;
    }

    /** {@return per family name, its HELP and TYPE lines' text: "HELP" and "TYPE" to their value} */
    static Map<String, Map<String, String>> families(String text) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = META.matcher(line);
            if (m.matches()) {
                out.computeIfAbsent(m.group(2), k -> new LinkedHashMap<>()).put(m.group(1), m.group(3));
            }
        }
        return out;
    }
}
