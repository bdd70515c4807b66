package dev.natgw.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchTest {
    @Test
    void findsTheThresholdWithinTheResolution() {
        List<Long> tried = new ArrayList<>();
        long found = Search.highestPassing(r -> {
            tried.add(r);
            return r <= 123_456;
        }, 0, 1_000_000, 0.01, 20);
        assertThat(found).isBetween(123_456L - 10_000, 123_456L);
        assertThat(tried.getFirst()).isEqualTo(1_000_000L);
        assertThat(tried).hasSizeLessThanOrEqualTo(9);
    }

    @Test
    void stopsAtTheStepBoundAndAtTheTop() {
        List<Long> tried = new ArrayList<>();
        assertThat(Search.highestPassing(r -> tried.add(r) && false, 0, 1000, 0.0001, 4)).isZero();
        assertThat(tried).hasSize(4);
        assertThat(Search.highestPassing(r -> true, 0, 1000, 0.01, 4)).isEqualTo(1000);
    }
}
