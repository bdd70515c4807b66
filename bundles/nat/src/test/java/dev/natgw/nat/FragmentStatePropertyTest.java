package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.fastpath.FragmentLimits;
import dev.natgw.nat.fastpath.NatEngine;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.internal.SourceRules;
import dev.natgw.nat.testing.FakeDataplane;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Fragmenter;
import dev.natgw.nat.testing.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever fragments arrive (many datagrams at once, any order, pieces missing, repeated or overlapping, from inside
 * and outside, on one worker or four), each worker's fragment state stays within its bounds after every burst, and
 * once the timeout has passed and each worker has run a burst again, no state and no held buffer is left.
 */
class FragmentStatePropertyTest {
    private static final int GLOBAL = ip("198.19.0.1");
    private static final int REMOTE = ip("198.19.0.100");
    private static final FragmentLimits LIMITS = new FragmentLimits(6, 5, 6, Duration.ofSeconds(2).toNanos());

    @Property(tries = 60)
    void fragmentStateStaysBoundedAndDrains(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int workers) {
        Random r = new Random(seed);
        int w = workers == 3 ? 4 : workers;
        NatManager nat = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 1 << 12, 256, Duration.ZERO, 1024,
                OtherProtocolPolicy.DROP, false, 256, SourceRules.DEFAULTS, 0, NatSettings.DEFAULT_UDP_UNANSWERED,
                LIMITS));
        FakeDataplane dp = new FakeDataplane(w);
        try {
            nat.setClock(dp.clock());
            nat.addPool(PoolDefinition.of("p", List.of(new Ipv4Range(GLOBAL, GLOBAL))));
            dp.attach(nat);
            List<byte[]> pending = new ArrayList<>();
            List<Boolean> inside = new ArrayList<>();
            int datagrams = 2 + r.nextInt(12);
            for (int d = 0; d < datagrams; d++) {
                boolean fromInside = r.nextInt(4) != 0;
                int host = ip("198.18.0." + (2 + r.nextInt(3)));
                int size = 40 + r.nextInt(3000);
                Frames.Builder b = switch (r.nextInt(3)) {
                    case 0 -> fromInside
                            ? Frames.udp(host, 5000 + r.nextInt(3), REMOTE, 53)
                            : Frames.udp(REMOTE, 53, GLOBAL, 1025 + r.nextInt(60000));
                    case 1 -> fromInside
                            ? Frames.echoRequest(host, REMOTE, r.nextInt(4), 1)
                            : Frames.echoReply(REMOTE, GLOBAL, r.nextInt(4), 1);
                    default -> fromInside
                            ? Frames.tcp(host, 6000, REMOTE, 80).flags(Frames.SYN)
                            : Frames.tcp(REMOTE, 80, GLOBAL, 1025 + r.nextInt(60000)).flags(Frames.ACK);
                };
                byte[] whole = b.identification(r.nextInt(6)).payload(new byte[size]).build();
                List<byte[]> frags = Fragmenter.split(whole, 8 * (1 + r.nextInt(180)));
                for (byte[] f : frags) {
                    int fate = r.nextInt(10);
                    if (fate == 0) {
                        continue; // lost
                    }
                    pending.add(f);
                    inside.add(fromInside);
                    if (fate == 1) {
                        pending.add(f.clone()); // repeated
                        inside.add(fromInside);
                    }
                }
            }
            // any order
            for (int k = pending.size() - 1; k > 0; k--) {
                int j = r.nextInt(k + 1);
                java.util.Collections.swap(pending, k, j);
                java.util.Collections.swap(inside, k, j);
            }
            for (int k = 0; k < pending.size(); k++) {
                dp.receive(pending.get(k), inside.get(k));
                if (r.nextInt(5) == 0 || k == pending.size() - 1) {
                    dp.run();
                    assertBounded(nat.engine(), dp);
                    if (r.nextInt(6) == 0) {
                        dp.advance(Duration.ofMillis(r.nextInt(2500)));
                        assertBounded(nat.engine(), dp);
                    }
                }
            }
            for (FakeDataplane.Out o : dp.toInside) {
                assertThat(new FrameView(o.frame()).ipChecksumValid()).isTrue();
            }
            for (FakeDataplane.Out o : dp.toOutside) {
                assertThat(new FrameView(o.frame()).ipChecksumValid()).isTrue();
            }
            // drains: past the timeout, then one burst on every worker gives held buffers back
            dp.advance(Duration.ofSeconds(3));
            boolean[] reached = new boolean[w];
            for (int k = 0; k < 4096 && !allTrue(reached); k++) {
                byte[] f = Frames.udp(ip("198.18.1." + (k % 250 + 1)), 1000 + k / 250, REMOTE, 9).build();
                int target = dp.workerFor(f);
                if (!reached[target]) {
                    reached[target] = true;
                    dp.receive(f, true);
                }
            }
            dp.run();
            assertThat(dp.held()).as("buffers still held").isZero();
            NatEngine e = nat.engine();
            for (int k = 0; k < e.workers(); k++) {
                assertThat(e.worker(k).fragmentStates()).as("states of worker %d", k).isZero();
                assertThat(e.worker(k).fragmentsHeld()).isZero();
            }
        } finally {
            dp.close();
            nat.close();
        }
    }

    private static boolean allTrue(boolean[] b) {
        for (boolean x : b) {
            if (!x) {
                return false;
            }
        }
        return true;
    }

    private static void assertBounded(NatEngine e, FakeDataplane dp) {
        for (int k = 0; k < e.workers(); k++) {
            assertThat(e.worker(k).fragmentStates()).isBetween(0L, (long) LIMITS.states());
            assertThat(e.worker(k).fragmentsHeld()).isBetween(0L, (long) LIMITS.held());
        }
        assertThat(dp.held()).isBetween(0, e.workers() * LIMITS.held());
    }
}
