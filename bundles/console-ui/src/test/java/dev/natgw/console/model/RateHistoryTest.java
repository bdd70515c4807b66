package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.nat.NatCounters;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateHistoryTest {
    private static final long S = 1_000_000_000L;

    static NatCounters c(long created, long in2out, long out2in) {
        return c(created, in2out, out2in, Map.of());
    }

    static NatCounters c(long created, long in2out, long out2in, Map<String, Long> drops) {
        return new NatCounters(created, 0, 0, in2out, out2in, 0, 0, 0, 0, drops);
    }

    @Test
    void ratesAreDeltasPerSecondWithGapsAndRestarts() {
        RateHistory h = new RateHistory(4, 4);
        h.record(c(0, 0, 0), 3, 0, 0);
        h.record(c(10, 100, 50), 7, 2 * S, 2000);
        assertThat(h.points(RateHistory.Range.FIVE_MINUTES)).singleElement().satisfies(p -> {
            assertThat(p.newSessionsPerSecond()).isEqualTo(5.0);
            assertThat(p.packetsInPerSecond()).isEqualTo(50.0);
            assertThat(p.packetsOutPerSecond()).isEqualTo(25.0);
            assertThat(p.packetsPerSecond()).isEqualTo(75.0);
            assertThat(p.sessions()).isEqualTo(7.0);
            assertThat(p.seconds()).isEqualTo(2.0);
        });
        h.record(null, 0, 3 * S, 3000);
        assertThat(h.points(RateHistory.Range.FIVE_MINUTES).getLast().gap()).isTrue();
        assertThat(h.points(RateHistory.Range.FIVE_MINUTES).getLast().packetsInPerSecond()).isNaN();
        // the translator came back with fresh counters: a new baseline, no negative rate
        h.record(c(1, 1, 1), 1, 4 * S, 4000);
        h.record(c(3, 5, 1), 1, 5 * S, 5000);
        assertThat(h.points(RateHistory.Range.FIVE_MINUTES)).hasSize(3);
        assertThat(h.points(RateHistory.Range.FIVE_MINUTES).getLast().newSessionsPerSecond()).isEqualTo(2.0);
    }

    @Test
    void eachRingIsBoundedAndTheHourRingTakesAPointEveryTenSeconds() {
        RateHistory h = new RateHistory(5, 3);
        for (int t = 0; t <= 100; t++) {
            h.record(c(t, 10L * t, 0), 0, t * S, t * 1000L);
        }
        // a hundred seconds of samples: the 5 min ring keeps its last 5, the 1 h ring its last 3 of 10
        assertThat(h.points(RateHistory.Range.FIVE_MINUTES)).hasSize(5)
                .extracting(RateHistory.Point::epochMillis).containsExactly(96_000L, 97_000L, 98_000L, 99_000L,
                        100_000L);
        assertThat(h.points(RateHistory.Range.HOUR)).extracting(RateHistory.Point::epochMillis)
                .containsExactly(80_000L, 90_000L, 100_000L);
        assertThat(h.points(RateHistory.Range.HOUR)).allSatisfy(p -> {
            assertThat(p.seconds()).isEqualTo(10.0);
            assertThat(p.packetsInPerSecond()).isEqualTo(10.0);
        });
        // a tick a little early still counts as the next 10 s
        h.record(c(110, 1100, 0), 0, 100 * S + 9_600_000_000L, 109_600L);
        assertThat(h.points(RateHistory.Range.HOUR).getLast().epochMillis()).isEqualTo(109_600L);
        assertThat(h.capacity(RateHistory.Range.FIVE_MINUTES)).isEqualTo(5);
        assertThat(new RateHistory().capacity(RateHistory.Range.HOUR)).isEqualTo(360);
        assertThat(new RateHistory().capacity(RateHistory.Range.FIVE_MINUTES)).isEqualTo(300);
        assertThatThrownBy(() -> new RateHistory(1, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dropsPerReasonAreSummedOverTheRangeAndNoneIsEmpty() {
        RateHistory h = new RateHistory(3, 3);
        h.record(c(0, 0, 0, Map.of("fragment", 3L)), 0, 0, 0);
        h.record(c(0, 0, 0, Map.of("fragment", 3L)), 0, S, 1000);
        // drops before the first sample are not in any range
        assertThat(h.drops(RateHistory.Range.FIVE_MINUTES).byReason()).isEmpty();
        assertThat(h.drops(RateHistory.Range.FIVE_MINUTES).seconds()).isEqualTo(1.0);
        h.record(c(0, 0, 0, Map.of("fragment", 5L, "ttl", 1L)), 0, 2 * S, 2000);
        h.record(c(0, 0, 0, Map.of("fragment", 6L, "ttl", 4L)), 0, 3 * S, 3000);
        assertThat(h.points(RateHistory.Range.FIVE_MINUTES).getLast().dropsPerSecond()).isEqualTo(4.0);
        assertThat(h.drops(RateHistory.Range.FIVE_MINUTES).byReason()).containsExactly(Map.entry("ttl", 4L),
                Map.entry("fragment", 3L));
        // the ring moves on: the drops leave the range with their points
        for (int t = 4; t <= 6; t++) {
            h.record(c(0, 0, 0, Map.of("fragment", 6L, "ttl", 4L)), 0, t * S, t * 1000L);
        }
        assertThat(h.drops(RateHistory.Range.FIVE_MINUTES).byReason()).isEmpty();
        assertThat(h.drops(RateHistory.Range.FIVE_MINUTES).seconds()).isEqualTo(3.0);
    }
}
