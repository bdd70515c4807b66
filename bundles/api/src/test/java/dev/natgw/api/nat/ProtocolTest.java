package dev.natgw.api.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProtocolTest {
    @Test
    void mapsIpProtocolNumbers() {
        for (Protocol p : Protocol.values()) {
            assertThat(Protocol.ofNumber(p.number())).isEqualTo(p);
        }
        assertThat(Protocol.ofNumber(6)).isEqualTo(Protocol.TCP);
        assertThat(Protocol.ofNumber(17)).isEqualTo(Protocol.UDP);
        assertThat(Protocol.ofNumber(1)).isEqualTo(Protocol.ICMP);
    }

    @Test
    void rejectsOtherProtocols() {
        assertThatThrownBy(() -> Protocol.ofNumber(47)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("47");
    }

    @Test
    void defaultsFollowTheRfcs() {
        assertThat(MappingBehavior.DEFAULT).isEqualTo(MappingBehavior.ENDPOINT_INDEPENDENT);
        assertThat(FilteringBehavior.DEFAULT).isEqualTo(FilteringBehavior.ADDRESS_DEPENDENT);
    }
}
