package dev.natgw.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.EventExportService;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exposition's conventions (HELP and TYPE on every family, {@code _total} on counters and only on them, units in
 * names), and the figures added for fragments, event export and the forwarder's state.
 */
class NatgwMetricsTest {

    @Test
    void everyFamilyHasHelpAndTypeAndFollowsPrometheusNaming() {
        String text = Exposition.full();
        Map<String, Map<String, String>> families = Exposition.families(text);
        assertThat(families).isNotEmpty();
        families.forEach((name, meta) -> {
            assertThat(name).matches("natgw_[a-z0-9_]+");
            assertThat(meta.get("HELP")).as("HELP of %s", name).isNotBlank();
            String type = meta.get("TYPE");
            assertThat(type).as("TYPE of %s", name).isIn("counter", "gauge");
            if (type.equals("counter")) {
                assertThat(name).as("a counter family is named as its samples are, with _total").endsWith("_total");
            } else {
                assertThat(name).doesNotEndWith("_total");
            }
            assertThat(name).as("units are spelled out, in base units").doesNotContain("kb", "_ms", "millis");
        });
        // every sample belongs to a family with HELP and TYPE
        for (String sample : Exposition.sampleNames(text)) {
            assertThat(families).as("family of %s", sample).containsKey(sample);
        }
    }

    @Test
    void fragmentsPerWorker() {
        String text = Exposition.full();
        assertThat(text).contains("natgw_nat_fragment_datagrams{worker=\"0\"} 3.0",
                "natgw_nat_fragments_held{worker=\"0\"} 2.0", "natgw_nat_fragments_held{worker=\"1\"} 0.0",
                "natgw_nat_fragment_table_bytes{worker=\"1\"} 330000.0");
    }

    @Test
    void eventExportCounters() {
        String text = Exposition.full();
        assertThat(text).contains("natgw_nat_export_up 1.0", "natgw_nat_export_enabled 1.0",
                "natgw_nat_export_events_queued 2.0", "natgw_nat_export_events_total 1200.0",
                "natgw_nat_export_events_lost_total 5.0", "natgw_nat_export_syslog_messages_total 40.0",
                "natgw_nat_export_syslog_messages_lost_total 1.0",
                "natgw_nat_export_ipfix_messages_total{collector=\"127.0.0.1:4739\",transport=\"ipfix-udp\"} 30.0",
                "natgw_nat_export_ipfix_records_total{collector=\"127.0.0.1:4739\",transport=\"ipfix-udp\"} 1195.0",
                "natgw_nat_export_ipfix_records_lost_total{collector=\"127.0.0.1:4739\",transport=\"ipfix-udp\"}"
                        + " 3.0");
    }

    @Test
    void eventExportOffOrAbsent() {
        EventExportService off = () -> null;
        String text = Exposition.render(new NatgwMetrics(Exposition.everyFamily(), () -> off));
        assertThat(text).contains("natgw_nat_export_up 1.0", "natgw_nat_export_enabled 0.0")
                .doesNotContain("natgw_nat_export_events_total");

        String absent = Exposition.render(new NatgwMetrics(Exposition.everyFamily()));
        assertThat(absent).contains("natgw_nat_export_up 0.0").doesNotContain("natgw_nat_export_enabled");

        EventExportService going = () -> {
            throw new IllegalStateException("component deactivated");
        };
        String gone = Exposition.render(new NatgwMetrics(Exposition.everyFamily(), () -> going));
        assertThat(gone).contains("natgw_nat_export_up 0.0", "natgw_nat_up 1.0");
    }

    @Test
    void forwarderStateIsOneOfItsStates() {
        String text = Exposition.full();
        assertThat(text).contains("natgw_forwarder_state{state=\"listening\"} 1.0",
                "natgw_forwarder_state{state=\"failed\"} 0.0", "natgw_forwarder_state{state=\"starting\"} 0.0");
        assertThat(Exposition.sampleNames(text)).contains("natgw_forwarder_state");
        assertThat(text.lines().filter(l -> l.startsWith("natgw_forwarder_state{") && l.endsWith(" 1.0")))
                .hasSize(1);
    }
}
