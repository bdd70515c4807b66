package dev.natgw.registry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natgw.testing.NamespaceRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The face refuses plain HTTP beyond loopback (issue 15, part 4), on real sockets: in a network namespace of its own
 * (198.18.0.1 on its loopback interface, RFC 2544's range; nothing leaves it, and it is deleted afterwards) the face is
 * served on every address; a plain lookup to 198.18.0.1 is answered 403 while one to 127.0.0.1 is served, and with
 * allow.plaintext both are served; over the HTTPS connector natgw turns on, a client pinned to its certificate is
 * served on 198.18.0.1 either way. Needs root and iproute2, else it is skipped; takes the shared namespace lock when
 * the machine has one.
 */
class PlaintextFaceNamespaceTest {
    private static final String ADDRESS = "198.18.0.1";

    private final NamespaceRun ns = new NamespaceRun("natgw-face-" + ProcessHandle.current().pid());

    @AfterEach
    void deleteNamespace() throws Exception {
        ns.delete();
    }

    private String run(boolean allowPlaintext) throws Exception {
        NamespaceRun.Outcome o = ns.run("ip -n $ns addr add " + ADDRESS + "/32 dev lo", null, 120,
                PlaintextFaceScenario.class, ADDRESS, Boolean.toString(allowPlaintext));
        assertThat(o.exit()).as(o.output()).isZero();
        return o.output();
    }

    @Test
    void plainHttpBeyondLoopbackIsRefusedUnlessAllowed() throws Exception {
        assumeTrue(NamespaceRun.usable(), "needs root and iproute2");
        String refused = run(false);
        assertThat(refused).contains(ADDRESS + " -> HTTP/1.1 403 ").contains(
                "serves plain HTTP on loopback only: use HTTPS").contains("127.0.0.1 -> HTTP/1.1 200 ").contains(
                        "refusing plain HTTP on " + ADDRESS)
                .contains("https " + ADDRESS + " -> served, 0 entries");
        String allowed = run(true);
        assertThat(allowed).contains(ADDRESS + " -> HTTP/1.1 200 ").contains("127.0.0.1 -> HTTP/1.1 200 ")
                .doesNotContain("HTTP/1.1 403");
    }
}
