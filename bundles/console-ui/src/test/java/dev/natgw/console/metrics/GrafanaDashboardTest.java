package dev.natgw.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/grafana/natgw-dashboard.json against what /metrics really exports: every metric name its queries select is a
 * name {@link NatgwMetrics} writes, every panel has a query, the panels the console shows are there, and the
 * datasource is the templated Prometheus one. Also the metrics table of docs/manual/console.md against the same
 * exposition, both ways.
 */
class GrafanaDashboardTest {
    private static final Path DOCS = Path.of(System.getProperty("natgw.root", "../..")).resolve("docs");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)"
            + "\\s*,\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)");

    private static JsonNode dashboard;
    private static Set<String> exported;

    @BeforeAll
    static void load() throws IOException {
        dashboard = JsonMapper.shared().readTree(Files.readString(DOCS.resolve("grafana/natgw-dashboard.json")));
        exported = Exposition.sampleNames(Exposition.full());
    }

    /** {@return every panel, those inside collapsed rows too} */
    private static List<JsonNode> panels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.get("panels")) {
            out.add(p);
            if (p.has("panels")) {
                p.get("panels").forEach(out::add);
            }
        }
        return out;
    }

    /** {@return panel title to its query expressions} */
    private static Map<String, List<String>> queries() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (JsonNode p : panels()) {
            if (p.get("type").asString().equals("row")) {
                continue;
            }
            List<String> exprs = new ArrayList<>();
            for (JsonNode t : p.path("targets")) {
                if (t.has("expr")) {
                    exprs.add(t.get("expr").asString());
                }
            }
            out.put(p.get("title").asString(), exprs);
        }
        return out;
    }

    @Test
    void everyQuerySelectsOnlyMetricsNatgwExports() {
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        Set<String> used = new LinkedHashSet<>();
        queries().forEach((title, exprs) -> {
            for (String e : exprs) {
                Set<String> names = PromQl.metricNames(e);
                assertThat(names).as("metric names in %s: %s", title, e).isNotEmpty();
                used.addAll(names);
                for (String n : names) {
                    if (!exported.contains(n)) {
                        unknown.computeIfAbsent(title, k -> new LinkedHashSet<>()).add(n);
                    }
                }
            }
        });
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asString().equals("query")) {
                String q = v.path("query").isObject()
                        ? v.path("query").path("query").asString()
                        : v.path("query").asString();
                Matcher m = LABEL_VALUES.matcher(q);
                assertThat(m.matches()).as("variable %s: %s", v.get("name"), q).isTrue();
                used.add(m.group(1));
                if (!exported.contains(m.group(1))) {
                    unknown.computeIfAbsent("variable " + v.get("name").asString(), k -> new LinkedHashSet<>())
                            .add(m.group(1));
                }
            }
        }
        assertThat(unknown).as("names the dashboard queries but /metrics does not export (exported: %s)", exported)
                .isEmpty();
        assertThat(used).hasSizeGreaterThan(20);
    }

    @Test
    void everyPanelHasAQueryAndUsesTheTemplatedPrometheus() {
        Map<String, List<String>> queries = queries();
        queries.forEach((title, exprs) -> assertThat(exprs).as("queries of %s", title).isNotEmpty()
                .allSatisfy(e -> assertThat(e).isNotBlank()));
        Set<Long> ids = new LinkedHashSet<>();
        for (JsonNode p : panels()) {
            assertThat(ids.add(p.get("id").asLong())).as("panel ids are unique").isTrue();
            JsonNode grid = p.get("gridPos");
            assertThat(grid.get("x").asInt() + grid.get("w").asInt()).as("%s fits 24 columns", p.get("title"))
                    .isLessThanOrEqualTo(24);
            if (!p.get("type").asString().equals("row")) {
                assertThat(p.path("datasource").path("uid").asString()).isEqualTo("${DS_PROMETHEUS}");
                for (JsonNode t : p.get("targets")) {
                    assertThat(t.path("datasource").path("uid").asString()).isEqualTo("${DS_PROMETHEUS}");
                    assertThat(t.path("refId").asString()).isNotBlank();
                }
            }
        }
        JsonNode ds = dashboard.path("templating").path("list").get(0);
        assertThat(ds.path("name").asString()).isEqualTo("DS_PROMETHEUS");
        assertThat(ds.path("type").asString()).isEqualTo("datasource");
        assertThat(ds.path("query").asString()).isEqualTo("prometheus");
        // Grafana 10.4 writes 39, Grafana 11 up to 41; older schemas are migrated on load but not written
        assertThat(dashboard.get("schemaVersion").asInt()).isBetween(36, 41);
        assertThat(dashboard.get("uid").asString()).matches("[a-zA-Z0-9_-]{1,40}");
    }

    @Test
    void thePanelsOfTheConsoleAreThere() {
        Map<String, List<String>> queries = queries();
        Map<String, String> needed = new LinkedHashMap<>();
        // title -> a metric its queries must select
        needed.put("Pool ports: used, hold-down, free", "natgw_nat_pool_ports_held");
        needed.put("Ports per outside address and worker", "natgw_nat_address_worker_ports_held");
        needed.put("Sessions", "natgw_nat_sessions");
        needed.put("New sessions/s", "natgw_nat_sessions_created_total");
        needed.put("Packets/s in and out", "natgw_nat_packets_total");
        needed.put("Drops/s", "natgw_nat_drops_total");
        needed.put("Drops by reason", "natgw_nat_drops_total");
        needed.put("Forwarder state", "natgw_forwarder_state");
        needed.put("TCP sessions by state", "natgw_nat_tcp_sessions");
        needed.put("Fragment state per worker", "natgw_nat_fragments_held");
        needed.put("Event export/s", "natgw_nat_export_events_lost_total");
        needed.forEach((title, metric) -> {
            assertThat(queries).as("panel %s", title).containsKey(title);
            assertThat(queries.get(title).stream().flatMap(e -> PromQl.metricNames(e).stream()))
                    .as("metrics of %s", title).contains(metric);
        });
        // used, hold-down and free each on their own query, in both pool panels
        for (String title : List.of("Pool ports: used, hold-down, free", "Ports per outside address and worker")) {
            assertThat(queries.get(title)).hasSize(3);
        }
        // the time charts: one figure each, so each has its own axis and unit
        for (String title : List.of("Sessions", "New sessions/s", "Packets/s in and out", "Drops/s")) {
            JsonNode p = panels().stream().filter(n -> n.path("title").asString().equals(title)).findFirst()
                    .orElseThrow();
            assertThat(p.get("type").asString()).isEqualTo("timeseries");
            assertThat(p.get("targets").size()).as("queries of %s", title).isEqualTo(1);
        }
        // a rate per second of a counter, never of a gauge
        queries.values().stream().flatMap(List::stream).filter(e -> e.contains("rate(")).forEach(e -> assertThat(
                PromQl.metricNames(e)).as(e).allSatisfy(n -> assertThat(n).endsWith("_total")));
    }

    @Test
    void theManualListsExactlyTheFamiliesExported() throws IOException {
        String manual = Files.readString(DOCS.resolve("manual/console.md"));
        int from = manual.indexOf("| metric | type | labels | meaning |");
        assertThat(from).as("the metrics table in console.md").isPositive();
        int to = manual.indexOf("\n\n", from);
        Set<String> documented = new LinkedHashSet<>();
        Matcher m = Pattern.compile("`(natgw_[a-z0-9_]+)`").matcher(manual.substring(from, to));
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(exported);
    }
}
