package dev.natgw.api.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.natgw.api.registry.RegistryKeys;

class ForwarderRecordsTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final InetSocketAddress PEER = InetSocketAddress.createUnresolved("198.18.0.2", 40000);

    @Test
    void announceKeyIsAValidRegistryKey() {
        assertThat(RegistryKeys.requireValid(ForwarderService.ANNOUNCE_KEY)).isEqualTo("natgw/forwarders");
    }

    @Test
    void recordsValidate() {
        assertThat(new ForwarderInfo(ForwarderState.LISTENING, PEER, false, null, T).announcedAs()).isNull();
        assertThatThrownBy(() -> new ForwarderInfo(null, PEER, false, null, T)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("state");
        assertThatThrownBy(() -> new RegisteredServer("srv", PEER, T, T, -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pendingClients");
        assertThatThrownBy(() -> new RegisteredServer("bad key", PEER, T, T, 0, 0)).hasMessageContaining("key");
        assertThatThrownBy(() -> new RelaySession(1, "srv", PEER, PEER, T, 0, -5))
                .hasMessageContaining("bytesServerToClient");
        assertThatThrownBy(() -> new ForwarderCounters(0, 0, 0, 0, 0, 0, 0, -1, 0))
                .hasMessage("probes must be >= 0, was -1");
    }
}
