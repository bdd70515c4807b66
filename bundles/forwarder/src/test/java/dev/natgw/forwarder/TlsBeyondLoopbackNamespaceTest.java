package dev.natgw.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natgw.testing.NamespaceRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TLS by default beyond loopback, on a real non-loopback address (issue 15, part 4): in a network namespace of its own
 * with 198.18.0.1 on its loopback interface (RFC 2544's range; nothing leaves it, and it is deleted afterwards), a
 * forwarder listening there with the default configuration speaks TLS with a certificate it generated and announces
 * its fingerprint; a server and a client given only that announcement are served; plain TCP gets no frame; tls = off
 * there is refused, and starts only with allow.plaintext. Needs root and iproute2, else it is skipped.
 */
class TlsBeyondLoopbackNamespaceTest {
    private static final String ADDRESS = "198.18.0.1";

    private final NamespaceRun ns = new NamespaceRun("natgw-fwdtls-" + ProcessHandle.current().pid());

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.delete();
    }

    @Test
    void aForwarderBeyondLoopbackSpeaksTlsWithAGeneratedCertificate() throws Exception {
        assumeTrue(NamespaceRun.usable(), "needs root and iproute2");
        NamespaceRun.Outcome o = ns.run("ip -n $ns addr add " + ADDRESS + "/32 dev lo", null, 120,
                TlsBeyondLoopbackScenario.class, ADDRESS);
        System.out.print(o.output());
        assertThat(o.exit()).as(o.output()).isZero();
        assertThat(o.output()).containsPattern("tls true certificate sha256:[0-9a-f]{64}")
                .containsPattern("announced natgw\\+tls://198\\.18\\.0\\.1:\\d+#sha256:[0-9a-f]{64}")
                .contains("registered true", "echo intact", "plain refused")
                .contains("off refused: tls is off and listen.host " + ADDRESS + " is not a loopback address")
                .contains("off allowed: tls false")
                .contains("speaks plain TCP on /" + ADDRESS);
    }
}
