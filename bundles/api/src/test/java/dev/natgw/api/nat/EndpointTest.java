package dev.natgw.api.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {
    @Test
    void parsesAndFormats() {
        Endpoint e = Endpoint.parse("198.18.0.2:1234");

        assertThat(e.address()).isEqualTo(Ipv4.parse("198.18.0.2"));
        assertThat(e.port()).isEqualTo(1234);
        assertThat(e).hasToString("198.18.0.2:1234");
        assertThat(Endpoint.parse("0.0.0.0:0")).isEqualTo(new Endpoint(0, 0));
        assertThat(Endpoint.parse("255.255.255.255:65535").port()).isEqualTo(65535);
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.18.0.2", "198.18.0.2:", "198.18.0.2:65536", "198.18.0.2:01", "198.18.0.2:-1",
            "198.18.0.2:123456", ":80", "256.0.0.1:80", "198.18.0.2:8 0"})
    void rejectsBadText(String text) {
        assertThatThrownBy(() -> Endpoint.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validatesPort() {
        assertThatThrownBy(() -> new Endpoint(0, 65536)).hasMessage("port must be 0..65535, was 65536");
        assertThatThrownBy(() -> new Endpoint(0, -1)).hasMessageContaining("port");
    }
}
