package dev.natgw.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private LoginThrottle throttle(int maxFailures, int maxTracked) {
        return new LoginThrottle(maxFailures, Duration.ofSeconds(60), maxTracked, now::get);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void anAddressIsLockedAfterItsFailuresWhateverTheNames() {
        LoginThrottle t = throttle(3, 100);
        t.failed("10.0.0.1", "alice");
        t.failed("10.0.0.1", "bob");
        assertThat(t.check("10.0.0.1", "carol")).isZero();
        t.failed("10.0.0.1", "carol");
        assertThat(t.check("10.0.0.1", "dave")).isEqualTo(Duration.ofSeconds(60));
        // another address, another name: not locked
        assertThat(t.check("10.0.0.2", "erin")).isZero();
        advance(Duration.ofSeconds(59));
        assertThat(t.check("10.0.0.1", "dave")).isEqualTo(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertThat(t.check("10.0.0.1", "dave")).isZero();
    }

    @Test
    void aNameIsLockedAfterItsFailuresFromAnyAddress() {
        LoginThrottle t = throttle(3, 100);
        t.failed("10.0.0.1", "admin");
        t.failed("10.0.0.2", "Admin");
        t.failed("10.0.0.3", " admin ");
        assertThat(t.check("10.0.0.4", "admin")).isPositive();
        assertThat(t.check("10.0.0.4", "other")).isZero();
    }

    @Test
    void failuresOutsideTheWindowStartAfreshAndASuccessClearsTheName() {
        LoginThrottle t = throttle(3, 100);
        t.failed("a", "u");
        t.failed("a", "u");
        advance(Duration.ofSeconds(61));
        t.failed("a", "u");
        assertThat(t.check("a", "u")).isZero();
        t.failed("b", "v");
        t.failed("b", "v");
        t.succeeded("v");
        t.failed("c", "v");
        assertThat(t.check("c", "v")).isZero();
        // the address b keeps its two failures: one more locks it
        t.failed("b", "w");
        assertThat(t.check("b", "x")).isPositive();
    }

    @Test
    void memoryIsBoundedByForgettingTheLeastRecentlyUsed() {
        LoginThrottle t = throttle(2, 100);
        t.failed("10.9.9.9", "victim");
        t.failed("10.9.9.9", "victim");
        assertThat(t.check("10.9.9.9", "victim")).isPositive();
        for (int i = 0; i < 10_000; i++) {
            t.failed("10.1." + (i >> 8) + "." + (i & 255), "guess" + i);
            assertThat(t.tracked()).isLessThanOrEqualTo(100);
        }
        assertThat(t.tracked()).isEqualTo(100);
        // long user names are cut, not stored whole
        t.failed("x", "n".repeat(100_000));
        assertThat(t.tracked()).isEqualTo(100);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new LoginThrottle(0, Duration.ofSeconds(1), 1, now::get))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoginThrottle(1, Duration.ZERO, 1, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
