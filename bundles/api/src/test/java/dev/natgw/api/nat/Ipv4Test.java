package dev.natgw.api.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class Ipv4Test {
    @Test
    void parsesInNetworkOrder() {
        assertThat(Ipv4.parse("198.18.0.2")).isEqualTo(0xC6120002);
        assertThat(Ipv4.parse("0.0.0.0")).isZero();
        assertThat(Ipv4.parse("255.255.255.255")).isEqualTo(-1);
        assertThat(Ipv4.parse("10.0.0.1")).isEqualTo(0x0A000001);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "198.19.0.255", "255.255.255.255", "1.2.3.4", "100.64.10.200"})
    void roundTrips(String text) {
        assertThat(Ipv4.format(Ipv4.parse(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.", ".1.2.3",
            "1..2.3", " 1.2.3.4", "1.2.3.4 ", "+1.2.3.4", "1.2.3.-4", "1234.1.1.1", "a.b.c.d", "1.2.3.4/32",
            "١.2.3.4"})
    void rejectsBadText(String text) {
        assertThatThrownBy(() -> Ipv4.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + text + "\"");
    }
}
