package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SharedReadingTest {

    @Test
    void readsOncePerPeriodWhateverTheNumberOfViews() {
        AtomicLong now = new AtomicLong();
        AtomicInteger reads = new AtomicInteger();
        SharedReading<Integer> shared = new SharedReading<>(900, now::get);
        for (int view = 0; view < 10; view++) {
            assertThat(shared.get(() -> new Reading<>(reads.incrementAndGet(), null)).value()).isEqualTo(1);
        }
        now.set(899);
        assertThat(shared.get(() -> new Reading<>(reads.incrementAndGet(), null)).value()).isEqualTo(1);
        now.set(900);
        assertThat(shared.get(() -> new Reading<>(reads.incrementAndGet(), null)).value()).isEqualTo(2);
        assertThat(reads).hasValue(2);
    }
}
