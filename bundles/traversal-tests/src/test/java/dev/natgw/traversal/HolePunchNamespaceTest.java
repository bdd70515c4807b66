package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natgw.testing.NamespaceRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hole punching through two real NATs (nftables masquerade in network namespaces, scripts/punch/nat-pairs.sh, which
 * holds the shared namespace lock and deletes what it made): behind NATs that drop unsolicited packets, every
 * connection moves to the direct path mid-stream with its echo intact; behind fully-random masquerade (a new port per
 * connection), the punch fails and the relay carries every stream intact. Needs root, iproute2 and nft, else skipped.
 */
class HolePunchNamespaceTest {

    @Test
    void punchesThroughDroppingNatsAndStaysRelayedThroughRandomOnes() throws Exception {
        assumeTrue(NamespaceRun.usable(), "needs root and iproute2");
        assumeTrue(Path.of("/usr/sbin/nft").toFile().canExecute(), "needs nft");
        ProcessBuilder pb = new ProcessBuilder("../../scripts/punch/nat-pairs.sh", "drop/drop", "random/random")
                .redirectErrorStream(true);
        pb.environment().put("N", "2");
        pb.environment().put("CP", System.getProperty("java.class.path"));
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out;
        try {
            // the script bounds each of its processes (300 s) and its wait for the lock (600 s)
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroy();
        }
        System.out.print(out);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("| drop | drop | 2/2 |")
                .containsPattern("\\| random \\| random \\| 0/2 \\| - \\| 2/2 \\|");
    }
}
