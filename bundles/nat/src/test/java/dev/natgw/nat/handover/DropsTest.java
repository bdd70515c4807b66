package dev.natgw.nat.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.nat.fastpath.Packet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DropsTest {

    @Test
    void namesEveryReasonInTheDesignOrder() {
        String[] expected = {"truncated", "bad-ip-header", "bad-ip-checksum", "bad-l4-header", "bad-l4-checksum",
                "fragment", "ttl-expired", "icmp-unsupported", "other-protocol", "no-session", "filtered",
                "unsolicited-syn", "tcp-no-session", "pool-exhausted", "quota", "session-table-full",
                "mapping-conflict",
                "handoff-loop", "event-log-full", "stage-error", "spoofed-source", "source-not-inside",
                "icmp-error-source", "icmp-rate-limited", "session-limit", "mapping-rate", "inbound-limit",
                "host-table-full", "fragment-table-full", "fragment-timeout", "fragment-too-many", "fragment-invalid"};
        assertThat(Drops.COUNT).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Drops.name(i)).isEqualTo(expected[i]);
        }
    }

    @Test
    void constantsMatchTheirNames() {
        assertThat(Drops.name(Drops.TRUNCATED)).isEqualTo("truncated");
        assertThat(Drops.name(Drops.BAD_IP_HEADER)).isEqualTo("bad-ip-header");
        assertThat(Drops.name(Drops.BAD_IP_CHECKSUM)).isEqualTo("bad-ip-checksum");
        assertThat(Drops.name(Drops.BAD_L4_HEADER)).isEqualTo("bad-l4-header");
        assertThat(Drops.name(Drops.BAD_L4_CHECKSUM)).isEqualTo("bad-l4-checksum");
        assertThat(Drops.name(Drops.FRAGMENT)).isEqualTo("fragment");
        assertThat(Drops.name(Drops.TTL_EXPIRED)).isEqualTo("ttl-expired");
        assertThat(Drops.name(Drops.ICMP_UNSUPPORTED)).isEqualTo("icmp-unsupported");
        assertThat(Drops.name(Drops.OTHER_PROTOCOL)).isEqualTo("other-protocol");
        assertThat(Drops.name(Drops.NO_SESSION)).isEqualTo("no-session");
        assertThat(Drops.name(Drops.FILTERED)).isEqualTo("filtered");
        assertThat(Drops.name(Drops.UNSOLICITED_SYN)).isEqualTo("unsolicited-syn");
        assertThat(Drops.name(Drops.TCP_NO_SESSION)).isEqualTo("tcp-no-session");
        assertThat(Drops.name(Drops.POOL_EXHAUSTED)).isEqualTo("pool-exhausted");
        assertThat(Drops.name(Drops.QUOTA)).isEqualTo("quota");
        assertThat(Drops.name(Drops.SESSION_TABLE_FULL)).isEqualTo("session-table-full");
        assertThat(Drops.name(Drops.MAPPING_CONFLICT)).isEqualTo("mapping-conflict");
        assertThat(Drops.name(Drops.HANDOFF_LOOP)).isEqualTo("handoff-loop");
        assertThat(Drops.name(Drops.EVENT_LOG_FULL)).isEqualTo("event-log-full");
        assertThat(Drops.name(Drops.STAGE_ERROR)).isEqualTo("stage-error");
        assertThat(Drops.name(Drops.SPOOFED_SOURCE)).isEqualTo("spoofed-source");
        assertThat(Drops.name(Drops.SOURCE_NOT_INSIDE)).isEqualTo("source-not-inside");
        assertThat(Drops.name(Drops.ICMP_ERROR_SOURCE)).isEqualTo("icmp-error-source");
        assertThat(Drops.name(Drops.ICMP_RATE_LIMITED)).isEqualTo("icmp-rate-limited");
        assertThat(Drops.name(Drops.SESSION_LIMIT)).isEqualTo("session-limit");
        assertThat(Drops.name(Drops.MAPPING_RATE)).isEqualTo("mapping-rate");
        assertThat(Drops.name(Drops.INBOUND_LIMIT)).isEqualTo("inbound-limit");
        assertThat(Drops.name(Drops.HOST_TABLE_FULL)).isEqualTo("host-table-full");
        assertThat(Drops.name(Drops.FRAGMENT_TABLE_FULL)).isEqualTo("fragment-table-full");
        assertThat(Drops.name(Drops.FRAGMENT_TIMEOUT)).isEqualTo("fragment-timeout");
        assertThat(Drops.name(Drops.FRAGMENT_TOO_MANY)).isEqualTo("fragment-too-many");
        assertThat(Drops.name(Drops.FRAGMENT_INVALID)).isEqualTo("fragment-invalid");
    }

    @Test
    void namesAreDistinctAndParseResultsAreNotReasons() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < Drops.COUNT; i++) {
            names.add(Drops.name(i));
        }
        assertThat(names).hasSize(Drops.COUNT);
        assertThatThrownBy(() -> Drops.name(Packet.OK)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Drops.name(Packet.NOT_IPV4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Drops.name(Drops.COUNT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..31");
    }
}
