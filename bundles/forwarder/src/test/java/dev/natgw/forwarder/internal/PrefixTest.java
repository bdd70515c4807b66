package dev.natgw.forwarder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Which addresses share a prefix, and that the limits count by it. */
class PrefixTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void ipv4IsCountedBy32And24() throws Exception {
        assertThat(Prefix.narrow(ip("198.18.1.7"))).isNotEqualTo(Prefix.narrow(ip("198.18.1.8")));
        assertThat(Prefix.wide(ip("198.18.1.7"))).isEqualTo(Prefix.wide(ip("198.18.1.200")));
        assertThat(Prefix.wide(ip("198.18.1.7"))).isNotEqualTo(Prefix.wide(ip("198.18.2.7")));
        assertThat(Prefix.wide(ip("198.18.1.7"))).hasToString("198.18.1.0/24");
        assertThat(Prefix.narrow(ip("198.18.1.7"))).hasToString("198.18.1.7/32");
    }

    @Test
    void ipv6IsCountedBy64And48() throws Exception {
        assertThat(Prefix.narrow(ip("2001:db8:1:2::1"))).isEqualTo(Prefix.narrow(ip("2001:db8:1:2:ffff:1:2:3")));
        assertThat(Prefix.narrow(ip("2001:db8:1:2::1"))).isNotEqualTo(Prefix.narrow(ip("2001:db8:1:3::1")));
        assertThat(Prefix.wide(ip("2001:db8:1:2::1"))).isEqualTo(Prefix.wide(ip("2001:db8:1:ffff::9")));
        assertThat(Prefix.wide(ip("2001:db8:1:2::1"))).isNotEqualTo(Prefix.wide(ip("2001:db8:2:2::1")));
        assertThat(Prefix.narrow(ip("2001:db8:1:2::1"))).hasToString("2001:db8:1:2::/64");
        assertThat(Prefix.wide(ip("2001:db8:1:2::1"))).hasToString("2001:db8:1::/48");
        // an IPv4 and an IPv6 prefix never meet
        assertThat(Prefix.narrow(ip("::1"))).isNotEqualTo(Prefix.narrow(ip("0.0.0.1")));
    }

    @Test
    void aWholeSlash64CountsAsOneSource() throws Exception {
        PrefixLimits limits = new PrefixLimits(3, 100, 0, 0, 1000);
        for (int i = 1; i <= 3; i++) {
            assertThat(limits.acquire(ip("2001:db8:5:6::" + Integer.toHexString(i * 4099)), 0)).isEqualTo(
                    PrefixLimits.Verdict.OK);
        }
        assertThat(limits.acquire(ip("2001:db8:5:6:a:b:c:d"), 0)).isEqualTo(PrefixLimits.Verdict.TOO_MANY);
        assertThat(limits.acquire(ip("2001:db8:5:7::1"), 0)).isEqualTo(PrefixLimits.Verdict.OK);
        // a refusal by the wide prefix gives the narrow place back
        PrefixLimits wide = new PrefixLimits(10, 2, 0, 0, 1000);
        assertThat(wide.acquire(ip("2001:db8:9:1::1"), 0)).isEqualTo(PrefixLimits.Verdict.OK);
        assertThat(wide.acquire(ip("2001:db8:9:2::1"), 0)).isEqualTo(PrefixLimits.Verdict.OK);
        assertThat(wide.acquire(ip("2001:db8:9:3::1"), 0)).isEqualTo(PrefixLimits.Verdict.TOO_MANY);
        assertThat(wide.countNarrow(ip("2001:db8:9:3::1"))).isZero();
        wide.release(ip("2001:db8:9:1::1"));
        assertThat(wide.acquire(ip("2001:db8:9:3::1"), 0)).isEqualTo(PrefixLimits.Verdict.OK);
        // the rate of a prefix refills with time
        PrefixLimits rate = new PrefixLimits(100, 100, 2, 100, 1000);
        assertThat(rate.acquire(ip("198.18.0.1"), 0)).isEqualTo(PrefixLimits.Verdict.OK);
        assertThat(rate.acquire(ip("198.18.0.1"), 0)).isEqualTo(PrefixLimits.Verdict.OK);
        assertThat(rate.acquire(ip("198.18.0.1"), 0)).isEqualTo(PrefixLimits.Verdict.RATE);
        assertThat(rate.acquire(ip("198.18.0.1"), 1_000_000_000L)).isEqualTo(PrefixLimits.Verdict.OK);
    }

    @Test
    void theByteBucketLetsABurstThroughThenSpacesAtTheRate() {
        ByteBucket b = new ByteBucket(1000);
        assertThat(b.take(1000, 0)).isZero();
        // the second second's worth is due at 2 s: one second past the burst
        assertThat(b.take(1000, 0)).isEqualTo(1_000_000_000L);
        // right after that wait, half a second's worth more is half a second's wait
        assertThat(b.take(500, 1_000_000_000L)).isEqualTo(500_000_000L);
        // idle for long, the bucket holds one burst again, not more
        assertThat(b.take(1000, 60_000_000_000L)).isZero();
        assertThat(b.take(1, 60_000_000_000L)).isPositive();
    }
}
