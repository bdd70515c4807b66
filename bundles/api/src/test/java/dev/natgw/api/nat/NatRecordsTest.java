package dev.natgw.api.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class NatRecordsTest {
    private static final Endpoint INSIDE = Endpoint.parse("198.18.0.2:40000");
    private static final Endpoint OUTSIDE = Endpoint.parse("198.19.0.10:2000");
    private static final Endpoint REMOTE = Endpoint.parse("198.19.0.200:80");

    @Test
    void sessionStateMatchesProtocol() {
        assertThat(new SessionInfo(Protocol.TCP, INSIDE, OUTSIDE, REMOTE, TcpState.ESTABLISHED, 10, 0, "public")
                .state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(new SessionInfo(Protocol.UDP, INSIDE, OUTSIDE, REMOTE, TcpState.NONE, 0, 1, null).pool()).isNull();

        assertThatThrownBy(() -> new SessionInfo(Protocol.TCP, INSIDE, OUTSIDE, REMOTE, TcpState.NONE, 0, 0, "p"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state");
        assertThatThrownBy(() -> new SessionInfo(Protocol.ICMP, INSIDE, OUTSIDE, REMOTE, TcpState.FIN_IN, 0, 0, "p"))
                .hasMessageContaining("state");
        assertThatThrownBy(() -> new SessionInfo(Protocol.UDP, INSIDE, OUTSIDE, REMOTE, TcpState.NONE, -1, 0, "p"))
                .hasMessageContaining("idleMillis");
        assertThatThrownBy(() -> new SessionInfo(Protocol.UDP, INSIDE, null, REMOTE, TcpState.NONE, 0, 0, "p"))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("outside");
    }

    @Test
    void filterMatchesEachGivenField() {
        SessionInfo s = new SessionInfo(Protocol.UDP, INSIDE, OUTSIDE, REMOTE, TcpState.NONE, 0, 0, "public");

        assertThat(SessionFilter.ALL.matches(s)).isTrue();
        assertThat(new SessionFilter(Protocol.UDP, INSIDE.address(), REMOTE.address(), "public").matches(s)).isTrue();
        assertThat(new SessionFilter(Protocol.TCP, null, null, null).matches(s)).isFalse();
        assertThat(new SessionFilter(null, REMOTE.address(), null, null).matches(s)).isFalse();
        assertThat(new SessionFilter(null, null, INSIDE.address(), null).matches(s)).isFalse();
        assertThat(new SessionFilter(null, null, null, "other").matches(s)).isFalse();
    }

    @Test
    void poolUsageShare() {
        assertThat(new PoolUsage("p", 1, 200, 50, 1, 2, 3).usedShare()).isEqualTo(0.25);
        assertThat(new PoolUsage("p", 0, 0, 0, 0, 0, 0).usedShare()).isZero();
        assertThatThrownBy(() -> new PoolUsage("p", 1, 10, 11, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("portsInUse");
    }

    @Test
    void countersCopyDrops() {
        Map<String, Long> drops = new HashMap<>(Map.of("truncated", 2L));
        NatCounters c = new NatCounters(1, 0, 1, 5, 4, 0, 0, 0, 0, drops);
        drops.put("fragment", 1L);

        assertThat(c.drops()).containsExactly(Map.entry("truncated", 2L));
        assertThat(c.drops("truncated")).isEqualTo(2);
        assertThat(c.drops("bad-checksum")).isZero();
        assertThatThrownBy(() -> new NatCounters(0, 0, 0, 0, 0, 0, 0, -1, 0, Map.of()))
                .hasMessageContaining("handoffs");
        assertThatThrownBy(() -> new NatCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of("x", -1L)))
                .hasMessageContaining("drops[x]");
    }

    @Test
    void staticMappingIsTcpOrUdpWithPorts() {
        assertThat(new StaticMapping(Protocol.TCP, OUTSIDE, INSIDE).global()).isEqualTo(OUTSIDE);
        assertThatThrownBy(() -> new StaticMapping(Protocol.ICMP, OUTSIDE, INSIDE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("protocol");
        assertThatThrownBy(() -> new StaticMapping(Protocol.UDP, new Endpoint(OUTSIDE.address(), 0), INSIDE))
                .hasMessageContaining("global");
    }

    @Test
    void eventLoggerName() {
        assertThat(NatEvents.LOGGER_NAME).isEqualTo("dev.natgw.nat.events");
    }
}
