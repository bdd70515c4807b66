package dev.natgw.api.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class TimeoutsTest {
    @Test
    void rfcDefaults() {
        Timeouts t = Timeouts.RFC_DEFAULTS;

        assertThat(t.udp()).isEqualTo(Duration.ofSeconds(300));
        assertThat(t.tcpEstablished()).isEqualTo(Duration.ofSeconds(7440));
        assertThat(t.tcpTransitory()).isEqualTo(Duration.ofSeconds(240));
        assertThat(t.icmp()).isEqualTo(Duration.ofSeconds(60));
        assertThat(t.tcpSynHold()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void rejectsNonPositive() {
        Duration s = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new Timeouts(s, s, Duration.ZERO, s, s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tcpTransitory");
        assertThatThrownBy(() -> new Timeouts(s, s, s, s, Duration.ofSeconds(-1))).hasMessageContaining("tcpSynHold");
        assertThatThrownBy(() -> new Timeouts(null, s, s, s, s)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("udp");
    }
}
