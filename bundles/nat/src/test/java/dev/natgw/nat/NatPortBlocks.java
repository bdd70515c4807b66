package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.DeterministicMapping;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What is particular to port blocks and deterministic pools, run with one worker and with four: a host's mappings
 * stay in its blocks, a host that wants more than its blocks is refused while the others still get theirs, a block
 * is logged once when taken and once when it goes back, and a deterministic pool answers who had an outside
 * address and port from its formula alone.
 */
abstract class NatPortBlocks extends NatHarness {
    private static final int BLOCK = 64;

    private static PoolDefinition pool(PortAllocation a, int portMin, int portMax) {
        return new PoolDefinition("cgn", List.of(Ipv4Range.parse("198.19.0.1-198.19.0.2")), portMin, portMax,
                MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_DEPENDENT, true, 0, false,
                SubscriberLimits.NONE, a);
    }

    /** Sends a UDP flow from inside and returns the translated frame, or null if it was refused. */
    private FrameView udp(int src, int sport) {
        dp.clearOutputs();
        dp.receive(Frames.udp(src, sport, REMOTE, 53).build(), true);
        dp.run();
        return dp.toOutside.size() == 1 ? new FrameView(dp.toOutside.get(0).frame()) : null;
    }

    @Test
    void aHostMapsInsideItsBlocksOnOneAddressAndReturnsComeBackToItsWorker() {
        start(pool(PortAllocation.blocks(BLOCK, 2), 1024, 65535));
        Set<Integer> blocks = new HashSet<>();
        Set<Integer> addresses = new HashSet<>();
        for (int k = 0; k < 2 * BLOCK; k++) {
            FrameView out = udp(INSIDE_A, 10000 + k);
            assertThat(out).as("flow %d", k).isNotNull();
            blocks.add(out.srcPort() & -BLOCK);
            addresses.add(out.src());
            FrameView back = through(Frames.udp(REMOTE, 53, out.src(), out.srcPort()).build(), false, true);
            assertThat(back.dstPort()).isEqualTo(10000 + k);
        }
        assertThat(blocks).as("two blocks filled to the last port").hasSize(2);
        assertThat(addresses).as("paired").hasSize(1);
        assertThat(nat.poolUsage().get(0).blocksInUse()).isEqualTo(2);
        assertThat(udp(INSIDE_A, 20000)).as("a third block is over the limit").isNull();
        assertThat(nat.counters().refusedQuota()).isEqualTo(1);
    }

    @Test
    void aHostThatWantsMoreBlocksThanItsLimitCannotStarveTheOthers() {
        // 2 addresses x 8 blocks of 64 per worker: the hostile host may take 3 blocks, then it is refused
        int perWorker = 8;
        start(pool(PortAllocation.blocks(BLOCK, 3), 4096, 4096 + perWorker * workers() * BLOCK - 1));
        int taken = 0;
        for (int k = 0; k < 1000; k++) {
            if (udp(INSIDE_A, 1024 + k) != null) {
                taken++;
            }
        }
        assertThat(taken).as("its three blocks, whole").isEqualTo(3 * BLOCK);
        assertThat(nat.counters().refusedQuota()).isEqualTo(1000 - 3 * BLOCK);
        assertThat(nat.poolUsage().get(0).blocksInUse()).isEqualTo(3);
        // the other hosts each get a block of their own until every block of the pool is out
        int served = 0;
        for (int h = 0; h < 40 * workers(); h++) {
            if (udp(ip("198.18.1.0") + h, 5000) != null) {
                served++;
            }
        }
        long all = 2L * perWorker * workers();
        assertThat(served).isEqualTo(all - 3);
        assertThat(nat.poolUsage().get(0).blocksInUse()).isEqualTo(all);
    }

    @Test
    void aBlockIsLoggedOnceWhenTakenAndOnceWhenItsLastMappingEnds() {
        start(pool(PortAllocation.blocks(BLOCK, 2), 1024, 65535));
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        nat.setEventLines(lines::add);
        FrameView first = udp(INSIDE_A, 5000);
        for (int k = 1; k < 10; k++) {
            assertThat(udp(INSIDE_A, 5000 + k)).isNotNull();
        }
        dp.advance(Duration.ofSeconds(31));
        assertThat(nat.sessionCount()).isZero();
        nat.flushEvents();
        int n = first.srcPort() & -BLOCK;
        String block = "inside=198.18.0.2 outside=" + dev.natgw.api.nat.Ipv4.format(first.src()) + ":" + n + "-"
                + (n + BLOCK - 1);
        assertThat(lines).as("ten mappings, one block: two records").hasSize(2);
        assertThat(lines.get(0)).contains("block-allocated " + block + " pool=cgn");
        assertThat(lines.get(1)).contains("block-released " + block + " pool=cgn");
        // held down for 5 s, then free for anyone
        assertThat(nat.poolUsage().get(0).portsHeld()).isEqualTo(3L * BLOCK);
        dp.advance(Duration.ofSeconds(6));
        assertThat(nat.poolUsage().get(0).portsInUse()).isZero();
    }

    @Test
    void aDeterministicPoolAnswersWhoHadAnAddressAndPortWithoutALog() {
        Ipv4Range prefix = Ipv4Range.parse("198.18.0.0/26");
        start(pool(PortAllocation.deterministic(BLOCK, prefix), 1024, 65535));
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        nat.setEventLines(lines::add);
        Set<Long> blocks = new HashSet<>();
        for (int h = 0; h < 64; h++) {
            int inside = prefix.first() + h;
            FrameView out = udp(inside, 5000);
            assertThat(out).as("host %d", h).isNotNull();
            List<DeterministicMapping> who = nat.deterministicLookup(out.src(), out.srcPort());
            assertThat(who).as("the formula names the host").singleElement()
                    .satisfies(d -> assertThat(d.inside()).isEqualTo(inside));
            List<DeterministicMapping> mine = nat.deterministicBlock(inside);
            assertThat(mine).singleElement().satisfies(d -> {
                assertThat(d.outside()).isEqualTo(out.src());
                assertThat(d.containsPort(out.srcPort())).isTrue();
                assertThat(d.portLast() - d.portFirst() + 1).isEqualTo(BLOCK);
                assertThat(d.worker()).as("the home worker owns the block").isEqualTo(
                        dev.natgw.nat.fastpath.Ownership.home(inside, workers()));
            });
            assertThat(blocks.add((long) out.src() << 32 | out.srcPort() & -BLOCK)).as("no block twice").isTrue();
        }
        assertThat(nat.deterministicBlock(ip("198.18.1.1"))).as("outside the prefix").isEmpty();
        assertThat(nat.deterministicLookup(ip("198.19.0.1"), 80)).as("below the range").isEmpty();
        dp.advance(Duration.ofSeconds(31));
        nat.flushEvents();
        assertThat(lines).as("nothing logged").isEmpty();
    }

    @Test
    void aDeterministicHostIsHeldToItsBlockAndTheOthersKeepTheirs() {
        start(pool(PortAllocation.deterministic(BLOCK, Ipv4Range.parse("198.18.0.0/26")), 1024, 65535));
        int taken = 0;
        for (int k = 0; k < BLOCK + 10; k++) {
            if (udp(INSIDE_A, 1024 + k) != null) {
                taken++;
            }
        }
        assertThat(taken).isEqualTo(BLOCK);
        assertThat(nat.counters().refusedQuota()).isEqualTo(10);
        assertThat(udp(INSIDE_B, 5000)).as("its neighbour").isNotNull();
        assertThat(udp(ip("198.18.0.200"), 5000)).as("outside the prefix: no pool").isNull();
    }
}
