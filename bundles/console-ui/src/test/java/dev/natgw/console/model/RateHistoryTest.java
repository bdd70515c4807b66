package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.NatCounters;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateHistoryTest {
    static NatCounters c(long created, long in2out, long out2in) {
        return new NatCounters(created, 0, 0, in2out, out2in, 0, 0, 0, 0, Map.of());
    }

    @Test
    void ratesAreDeltasPerSecondWithGapsAndRestarts() {
        RateHistory h = new RateHistory(4);
        h.record(c(0, 0, 0), 0, 0);
        h.record(c(10, 100, 50), 2_000_000_000L, 2000);
        assertThat(h.points()).singleElement().satisfies(p -> {
            assertThat(p.newSessionsPerSecond()).isEqualTo(5.0);
            assertThat(p.packetsPerSecond()).isEqualTo(75.0);
        });
        h.record(null, 3_000_000_000L, 3000);
        assertThat(h.points().getLast().packetsPerSecond()).isNaN();
        // the translator came back with fresh counters: a new baseline, no negative rate
        h.record(c(1, 1, 1), 4_000_000_000L, 4000);
        h.record(c(3, 5, 1), 5_000_000_000L, 5000);
        assertThat(h.points()).hasSize(3);
        assertThat(h.points().getLast().newSessionsPerSecond()).isEqualTo(2.0);
        h.record(c(4, 6, 1), 6_000_000_000L, 6000);
        h.record(c(5, 7, 1), 7_000_000_000L, 7000);
        assertThat(h.points()).hasSize(4);
        assertThat(h.points().getLast().epochMillis()).isEqualTo(7000);
    }
}
