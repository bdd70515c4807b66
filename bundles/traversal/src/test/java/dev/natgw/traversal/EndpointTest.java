package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registry values as endpoints, and identity files. */
class EndpointTest {

    @TempDir
    Path dir;

    @Test
    void parsesTheThreeSchemesAndDefaultsToAForwarder() {
        assertThat(Endpoint.parse("tcp://198.19.0.2:8080")).isEqualTo(new Endpoint("tcp", "198.19.0.2", 8080));
        assertThat(Endpoint.parse("natgw+tls://fwd.example:7000").tls()).isTrue();
        assertThat(Endpoint.parse("127.0.0.1:7000")).isEqualTo(new Endpoint("natgw", "127.0.0.1", 7000));
        assertThat(Endpoint.parse("natgw://[::1]:7000").toString()).isEqualTo("natgw://[::1]:7000");
        assertThat(Endpoint.parse("tcp://h:1").forwarder()).isFalse();
        assertThatThrownBy(() -> Endpoint.parse("http://h:80")).hasMessageContaining("http://h:80");
        assertThatThrownBy(() -> Endpoint.parse("natgw://h")).hasMessageContaining("natgw://h");
        assertThatThrownBy(() -> Endpoint.parse("natgw://h:1/path")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTlsForwarderCarriesItsCertificatesFingerprint() {
        String pin = "sha256:" + "0a".repeat(32);
        Endpoint e = Endpoint.parse("natgw+tls://198.19.0.1:7000#" + pin);
        assertThat(e.pin()).isEqualTo(pin);
        assertThat(e.toString()).isEqualTo("natgw+tls://198.19.0.1:7000#" + pin);
        assertThat(Endpoint.parse("natgw+tls://[2001:db8::1]:7000#" + pin).toString()).isEqualTo(
                "natgw+tls://[2001:db8::1]:7000#" + pin);
        assertThat(Endpoint.parse("natgw+tls://198.19.0.1:7000").pin()).isNull();
        assertThatThrownBy(() -> Endpoint.parse("natgw://198.19.0.1:7000#" + pin)).hasMessageContaining("pin");
        assertThatThrownBy(() -> Endpoint.parse("natgw+tls://198.19.0.1:7000#sha256:XYZ")).hasMessageContaining(
                "pin");
        assertThatThrownBy(() -> Endpoint.parse("natgw+tls://198.19.0.1:7000?x=1")).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void identityIsCreatedOnceAndReadBack() throws Exception {
        Path file = dir.resolve("sub/id");
        Identity a = Identity.loadOrCreate(file);
        Identity b = Identity.loadOrCreate(file);
        assertThat(b.key()).isEqualTo(a.key());
        assertThat(java.nio.file.Files.getPosixFilePermissions(file)).extracting(Object::toString).containsOnly(
                "OWNER_READ", "OWNER_WRITE");
        java.nio.file.Files.writeString(dir.resolve("bad"), "private abc\n");
        assertThatThrownBy(() -> Identity.load(dir.resolve("bad"))).hasMessageContaining("bad");
    }
}
