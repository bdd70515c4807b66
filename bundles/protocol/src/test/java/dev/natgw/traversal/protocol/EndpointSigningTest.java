package dev.natgw.traversal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import org.junit.jupiter.api.Test;

/** Signed registry values (docs/protocol.md, section 10): what verifies, and each way a value is refused. */
class EndpointSigningTest {

    private static final long NOW = 1_765_000_000L;
    private final KeyPair owner = Keys.generate();
    private final String key = Keys.keyOf(owner.getPublic());

    private String signed(KeyPair by, String endpoint, long notAfter) {
        return EndpointSigning.sign(by.getPrivate(), by.getPublic(), endpoint, notAfter);
    }

    @Test
    void aValueSignedByTheKeyVerifiesUntilItsEnd() throws Exception {
        String v = signed(owner, "natgw://198.18.0.1:7000", NOW + 60);
        assertThat(v).startsWith("natgw://198.18.0.1:7000 natgw-sig-v1 ");
        assertThat(EndpointSigning.verify(key, v, NOW)).isEqualTo(new EndpointSigning.Verified(
                "natgw://198.18.0.1:7000", NOW + 60));
        assertThat(EndpointSigning.endpointOf(v)).isEqualTo("natgw://198.18.0.1:7000");
        assertThatThrownBy(() -> EndpointSigning.verify(key, v, NOW + 61)).hasMessageContaining("expired");
    }

    @Test
    void everyOtherValueIsRefusedNamingTheKey() {
        String good = signed(owner, "tcp://198.18.0.2:4000", NOW + 60);
        KeyPair other = Keys.generate();
        for (String bad : new String[]{"tcp://198.18.0.2:4000", signed(other, "tcp://198.18.0.2:4000", NOW + 60),
                good.replace("tcp://198.18.0.2:4000", "tcp://198.18.0.3:4000"), good.replace(" " + (NOW + 60) + " ", " "
                        + (NOW + 6000) + " "),
                good.substring(0, good.length() - 4) + "AAAA", good + " extra",
                "tcp://198.18.0.2:4000 natgw-sig-v1 !!! 1 !!!"}) {
            assertThatThrownBy(() -> EndpointSigning.verify(key, bad, NOW)).as(bad).isInstanceOf(
                    ProtocolException.class).hasMessageContaining(key);
        }
        assertThatThrownBy(() -> EndpointSigning.sign(owner.getPrivate(), owner.getPublic(), "tcp://a b:1", NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
