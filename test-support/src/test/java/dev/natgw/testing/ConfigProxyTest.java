package dev.natgw.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigProxyTest {
    @interface Sample {
        int timeout_udp() default 300;

        String inside_device() default "net_null0";

        String max$_$sessions() default "10";

        String under__score() default "u";

        String[] names() default {};
    }

    @Test
    void givenKeysAreReadAndTheRestTakeTheirDefaults() {
        Sample s = ConfigProxy.of(Sample.class, Map.of("timeout.udp", 30));
        assertThat(s.timeout_udp()).isEqualTo(30);
        assertThat(s.inside_device()).isEqualTo("net_null0");
        assertThat(s.annotationType()).isEqualTo(Sample.class);
    }

    @Test
    void keysFollowTheDsNameMapping() {
        Sample s = ConfigProxy.of(Sample.class, "max-sessions", "7", "under_score", "v", "inside.device", "x");
        assertThat(s.max$_$sessions()).isEqualTo("7");
        assertThat(s.under__score()).isEqualTo("v");
        assertThat(s.inside_device()).isEqualTo("x");
    }

    @Test
    void aMisspeltKeyIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> ConfigProxy.of(Sample.class, Map.of("timeout_udp", 30)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout.udp");
    }
}
