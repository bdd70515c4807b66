package dev.natgw.tools;

import static dev.natgw.tools.EchoServerTest.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLoadTest {

    @Test
    void stopsAtMaxAndCountsEveryConnection() throws Exception {
        // room for every connection: a slot comes back only once the server has seen the client's FIN
        try (EchoServer server = new EchoServer(loopback(0), 1000, Duration.ofSeconds(60))) {
            RateLoad.Result result = new RateLoad(new RateLoad.Settings(loopback(server.port()), 30, 4, 300, 3000))
                    .run();
            assertThat(result.connections()).as(result.json()).isEqualTo(300);
            assertThat(result.failures()).isZero();
            assertThat(result.clean()).isTrue();
            assertThat(server.accepted()).isEqualTo(300);
            // the server counts an echo after writing it, so the last client can finish before the last count
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.echoed()).isEqualTo(300));
            // the 30 s bound was not needed: max came first
            assertThat(result.seconds()).isLessThan(30);
            assertThat(result.perSecond()).isCloseTo(300 / result.seconds(), within(1e-6));
            assertThat(result.p50ConnectMs()).isPositive().isLessThanOrEqualTo(result.p99ConnectMs());
            assertThat(result.p99ConnectMs()).isLessThanOrEqualTo(result.maxConnectMs());
        }
    }

    @Test
    void stopsAtTheTimeBound() throws Exception {
        try (EchoServer server = new EchoServer(loopback(0), 64, Duration.ofSeconds(60))) {
            RateLoad.Result result = new RateLoad(new RateLoad.Settings(loopback(server.port()), 1, 2, 10_000_000,
                    3000)).run();
            assertThat(result.seconds()).isBetween(1.0, 5.0);
            assertThat(result.connections()).isPositive().isEqualTo(server.accepted());
        }
    }

    @Test
    void refusedConnectionsAreFailures() throws Exception {
        int port = EchoServerTest.closedPort();
        RateLoad.Result result = new RateLoad(new RateLoad.Settings(loopback(port), 5, 2, 40, 1000)).run();
        assertThat(result.connections()).isZero();
        assertThat(result.failures()).isEqualTo(40);
        assertThat(result.clean()).isFalse();
        assertThat(result.p50ConnectMs()).isNaN();
        assertThat(result.json()).contains("\"p50ConnectMs\":null");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = (i + 1) * 1_000_000L;
        }
        assertThat(RateLoad.percentile(sorted, 50)).isEqualTo(50.0);
        assertThat(RateLoad.percentile(sorted, 99)).isEqualTo(99.0);
        assertThat(RateLoad.percentile(new long[]{3_000_000L}, 99)).isEqualTo(3.0);
    }
}
