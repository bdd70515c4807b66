package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HumanTest {
    private static final Instant NOW = Instant.parse("2026-12-07T14:58:03.123456789Z");

    @Test
    void timesReadAsHowLongAgo() {
        assertThat(Human.ago(NOW, NOW)).isEqualTo("just now");
        assertThat(Human.ago(NOW.plusSeconds(30), NOW)).isEqualTo("just now"); // a clock ahead of ours
        assertThat(Human.ago(NOW.minusSeconds(42), NOW)).isEqualTo("42 s ago");
        assertThat(Human.ago(NOW.minusSeconds(200), NOW)).isEqualTo("3 min 20 s ago");
        assertThat(Human.ago(NOW.minusSeconds(180), NOW)).isEqualTo("3 min ago");
        assertThat(Human.ago(NOW.minusSeconds(45 * 60 + 10), NOW)).isEqualTo("45 min ago");
        assertThat(Human.ago(NOW.minusSeconds(2 * 3600 + 5 * 60), NOW)).isEqualTo("2 h 5 min ago");
        assertThat(Human.ago(NOW.minusSeconds(4 * 86400), NOW)).isEqualTo("4 d ago");
        assertThat(Human.duration(Duration.ofHours(27))).isEqualTo("1 d 3 h");
        assertThat(Human.duration(Duration.ofMillis(-5))).isEqualTo("0 s");
        // the exact time for the tooltip: to the second, never nanoseconds
        assertThat(Human.exact(NOW)).isEqualTo("2026-12-07 14:58:03 UTC");
        assertThat(Human.clock(NOW.toEpochMilli())).isEqualTo("14:58:03");
    }

    @Test
    void addressesLoseTheResolversSlash() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7000);
        assertThat(v4.toString()).isEqualTo("/127.0.0.1:7000");
        assertThat(Human.address(v4)).isEqualTo("127.0.0.1:7000");
        assertThat(Human.address(new InetSocketAddress(InetAddress.getByName("::1"), 7000)))
                .isEqualTo("[0:0:0:0:0:0:0:1]:7000");
        assertThat(Human.address(InetSocketAddress.createUnresolved("relay.example", 443)))
                .isEqualTo("relay.example:443");
        assertThat(Human.address(null)).isEqualTo("-");
    }

    @Test
    void countsAndBytesHaveThreeSignificantDigits() {
        assertThat(Human.count(0)).isEqualTo("0");
        assertThat(Human.count(999)).isEqualTo("999");
        assertThat(Human.count(0.25)).isEqualTo("0.25");
        assertThat(Human.count(1250)).isEqualTo("1.25 k");
        assertThat(Human.count(125_034)).isEqualTo("125 k");
        assertThat(Human.count(999_999)).isEqualTo("1 M");
        assertThat(Human.count(3_400_000)).isEqualTo("3.4 M");
        assertThat(Human.count(Double.NaN)).isEqualTo("-");
        assertThat(Human.bytes(512)).isEqualTo("512 B");
        assertThat(Human.bytes(1500)).isEqualTo("1.5 kB");
        assertThat(Human.bytes(3_100_000_000L)).isEqualTo("3.1 GB");
    }

    @Test
    void percentRoundsAsNatPoolsDoes() {
        assertThat(Human.percent(0)).isEqualTo("0.0%");
        assertThat(Human.percent(0.8)).isEqualTo("80.0%");
        assertThat(Human.percent(220.0 / 64512)).isEqualTo("0.3%");
        assertThat(Human.percent(1)).isEqualTo("100.0%");
    }
}
