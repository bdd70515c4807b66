package dev.natgw.api.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4RangeTest {
    @Test
    void parsesDashedRange() {
        Ipv4Range r = Ipv4Range.parse("198.19.0.10-198.19.0.20");

        assertThat(r.first()).isEqualTo(Ipv4.parse("198.19.0.10"));
        assertThat(r.last()).isEqualTo(Ipv4.parse("198.19.0.20"));
        assertThat(r.size()).isEqualTo(11);
        assertThat(r).hasToString("198.19.0.10-198.19.0.20");
    }

    @Test
    void parsesSingleAddress() {
        Ipv4Range r = Ipv4Range.parse("198.19.0.10");

        assertThat(r.size()).isEqualTo(1);
        assertThat(r).hasToString("198.19.0.10");
    }

    @Test
    void parsesCidr() {
        Ipv4Range r = Ipv4Range.parse("198.19.0.0/28");

        assertThat(r).isEqualTo(Ipv4Range.parse("198.19.0.0-198.19.0.15"));
        assertThat(Ipv4Range.parse("0.0.0.0/0").size()).isEqualTo(1L << 32);
        assertThat(Ipv4Range.parse("198.19.0.7/32").size()).isEqualTo(1);
    }

    @Test
    void containsComparesUnsigned() {
        Ipv4Range high = Ipv4Range.parse("200.0.0.0-200.0.0.255");

        assertThat(high.contains(Ipv4.parse("200.0.0.128"))).isTrue();
        assertThat(high.contains(Ipv4.parse("10.0.0.1"))).isFalse();
        assertThat(high.contains(Ipv4.parse("200.0.1.0"))).isFalse();
        assertThat(Ipv4Range.parse("127.255.255.0-128.0.0.10").contains(Ipv4.parse("128.0.0.1"))).isTrue();
    }

    @Test
    void overlaps() {
        Ipv4Range a = Ipv4Range.parse("198.19.0.0/28");

        assertThat(a.overlaps(Ipv4Range.parse("198.19.0.15-198.19.0.20"))).isTrue();
        assertThat(a.overlaps(Ipv4Range.parse("198.19.0.16/28"))).isFalse();
    }

    @Test
    void toStringParsesBack() {
        for (String text : new String[]{"198.19.0.0/28", "1.2.3.4", "10.0.0.1-10.0.1.1", "0.0.0.0/0"}) {
            Ipv4Range r = Ipv4Range.parse(text);
            assertThat(Ipv4Range.parse(r.toString())).isEqualTo(r);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.19.0.20-198.19.0.10", "198.19.0.1/28", "198.19.0.0/33", "198.19.0.0/", "198.19.0.0/08",
            "198.19.0.0-", "1.2.3-1.2.3.4", "198.19.0.0/-1"})
    void rejectsBadText(String text) {
        assertThatThrownBy(() -> Ipv4Range.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructorNamesFields() {
        assertThatThrownBy(() -> new Ipv4Range(Ipv4.parse("10.0.0.2"), Ipv4.parse("10.0.0.1")))
                .hasMessageContaining("first").hasMessageContaining("10.0.0.2");
    }
}
