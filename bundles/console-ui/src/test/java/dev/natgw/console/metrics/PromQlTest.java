package dev.natgw.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The dashboard test's PromQL name finder, on the shapes the dashboard uses and a few it could. */
class PromQlTest {
    @Test
    void findsTheNamesAndNothingElse() {
        assertThat(PromQl.metricNames("natgw_nat_up")).containsExactly("natgw_nat_up");
        assertThat(PromQl.metricNames("sum by (pool) (natgw_nat_pool_ports_in_use{instance=~\"$instance\"}"
                + " - natgw_nat_pool_ports_held{instance=~\"$instance\"})"))
                .containsExactly("natgw_nat_pool_ports_in_use", "natgw_nat_pool_ports_held");
        assertThat(PromQl.metricNames("sum(rate(natgw_nat_packets_total{direction=\"in2out\"}[$__rate_interval]))"))
                .containsExactly("natgw_nat_packets_total");
        assertThat(PromQl.metricNames("sum without(worker)(rate(a_total[5m] offset 1h)) / on (pool) group_left"
                + " (address) b > bool 0 and c or d unless e"))
                .containsExactly("a_total", "b", "c", "d", "e");
        assertThat(PromQl.metricNames("max_over_time(x[1h:5m]) * 1e3 + inf")).containsExactly("x");
        assertThat(PromQl.metricNames("sum by (reason) (rate(y{reason=~\"fragment.*\", a='}{'}[${__range}])) > 0"))
                .containsExactly("y");
        assertThat(PromQl.metricNames("histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))"))
                .containsExactly("h_bucket");
    }

    @Test
    void unbalancedBracketsAreRefused() {
        assertThatThrownBy(() -> PromQl.metricNames("sum(rate(x[5m])")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromQl.metricNames("x{a=\"b\"]")).isInstanceOf(IllegalArgumentException.class);
    }
}
