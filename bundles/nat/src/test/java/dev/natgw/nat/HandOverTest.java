package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.api.state.StateDeposit;
import dev.natgw.state.StateKeeperManager;
import dev.natgw.nat.handover.HandOverFormat;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FakeDataplane;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NAT's state hand-over with the real engine, real off-heap tables and the real keeper: a translator deposits
 * its tables when it stops or is detached, and a new translator object (as a new bundle revision makes) adopts
 * them, or refuses them and starts clean. Run with one worker and with four.
 */
class HandOverTest {
    static final int GLOBAL = ip("198.19.0.1");
    static final int REMOTE = ip("198.19.0.100");
    static final Timeouts SHORT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(600), Duration.ofSeconds(
            20), Duration.ofSeconds(10), Duration.ofSeconds(6));
    static final PoolDefinition POOL = new PoolDefinition("public", List.of(new Ipv4Range(GLOBAL, GLOBAL)), 1025,
            65535, MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_DEPENDENT, true, 0, true);

    final StateKeeperManager keeper = new StateKeeperManager();
    final List<NatManager> nats = new ArrayList<>();
    final List<FakeDataplane> dps = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (FakeDataplane dp : dps) {
            dp.close();
        }
        for (NatManager n : nats) {
            n.close();
        }
        keeper.close();
    }

    NatManager translator(int sessionsMax) {
        NatManager n = new NatManager(new NatSettings(SHORT, sessionsMax, 1024, Duration.ofSeconds(5), 1 << 16,
                OtherProtocolPolicy.DROP, false, 4096));
        n.setStateKeeper(keeper);
        nats.add(n);
        return n;
    }

    FakeDataplane dataplane(int workers, NatManager n) {
        FakeDataplane dp = new FakeDataplane(workers);
        dps.add(dp);
        n.setClock(dp.clock());
        dp.attach(n);
        return dp;
    }

    /** What a bundle update does: the old component deactivates, the new one is made and replaces the stage. */
    NatManager update(FakeDataplane dp, NatManager old, int sessionsMax, PoolDefinition pool) {
        old.close();
        NatManager next = translator(sessionsMax);
        next.setClock(dp.clock());
        if (pool != null) {
            next.addPool(pool);
        }
        dp.replace(next);
        return next;
    }

    static int inside(int i) {
        return ip("198.18.0.2") + (i % 200);
    }

    static int insidePort(int i) {
        return 10_000 + i;
    }

    /** Sends one UDP packet out and returns its translated form. */
    static FrameView out(FakeDataplane dp, int i) {
        dp.clearOutputs();
        dp.receive(Frames.udp(inside(i), insidePort(i), REMOTE, 53).build(), true);
        dp.run();
        assertThat(dp.toOutside).as("flow %d out; dropped %d", i, dp.dropped.size()).hasSize(1);
        FrameView v = new FrameView(dp.toOutside.get(0).frame());
        v.assertChecksumsValid();
        return v;
    }

    /** Sends the reply to a flow's outside port and checks it reaches the flow's inside endpoint. */
    static void back(FakeDataplane dp, int i, int outPort) {
        dp.clearOutputs();
        dp.receive(Frames.udp(REMOTE, 53, GLOBAL, outPort).build(), false);
        dp.run();
        assertThat(dp.toInside).as("flow %d back to port %d", i, outPort).hasSize(1);
        FrameView v = new FrameView(dp.toInside.get(0).frame());
        v.assertChecksumsValid();
        assertThat(v.dst()).isEqualTo(inside(i));
        assertThat(v.dstPort()).isEqualTo(insidePort(i));
    }

    static long portsInUse(NatManager n) {
        return n.poolUsage().stream().mapToLong(PoolUsage::portsInUse).sum();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void adoptedSessionsTranslateBothWaysNewFlowsDoNotCollideAndAllExpire(int workers) {
        NatManager first = translator(1 << 14);
        first.addPool(POOL);
        FakeDataplane dp = dataplane(workers, first);
        int flows = 300;
        int[] ports = new int[flows];
        for (int i = 0; i < flows; i++) {
            ports[i] = out(dp, i).srcPort();
        }
        assertThat(first.sessionCount()).isEqualTo(flows);

        NatManager second = update(dp, first, 1 << 14, POOL);
        assertThat(second.lastHandOver()).isEqualTo("adopted " + flows + " sessions (layout "
                + HandOverFormat.LAYOUT_VERSION + ", " + workers + " workers)");
        assertThat(second.sessionCount()).isEqualTo(flows);
        for (int i = 0; i < flows; i++) {
            assertThat(out(dp, i).srcPort()).as("flow %d keeps its outside port", i).isEqualTo(ports[i]);
            back(dp, i, ports[i]);
        }
        assertThat(portsInUse(second)).as("the adopted ports are in use in the new allocators").isEqualTo(flows);
        assertThat(second.poolUsage().get(0).udpSessions()).isEqualTo(flows);

        Set<Integer> taken = new HashSet<>();
        for (int p : ports) {
            taken.add(p);
        }
        for (int i = flows; i < 2 * flows; i++) {
            int p = out(dp, i).srcPort();
            assertThat(taken.add(p)).as("new flow %d got port %d, which an adopted flow holds", i, p).isTrue();
            back(dp, i, p);
        }
        assertThat(second.sessionCount()).isEqualTo(2L * flows);
        assertThat(portsInUse(second)).isEqualTo(2L * flows);

        dp.advance(Duration.ofSeconds(31));
        for (int k = 0; k < 20 && second.sessionCount() > 0; k++) {
            dp.advance(Duration.ofMillis(100));
        }
        assertThat(second.sessionCount()).as("adopted and new sessions expire on time").isZero();
        dp.advance(Duration.ofSeconds(6));
        assertThat(portsInUse(second)).as("every port back in the pool after the hold-down").isZero();
        assertThat(second.counters().drops().get("stage-error")).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aPortBlockPoolHandsItsBlocksOverAndNoAdoptedPortServesAnotherHost(int workers) {
        PoolDefinition blocks = POOL.withAllocation(dev.natgw.api.nat.PortAllocation.blocks(64, 8));
        NatManager first = translator(1 << 14);
        first.addPool(blocks);
        FakeDataplane dp = dataplane(workers, first);
        int flows = 300;
        int[] ports = new int[flows];
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < flows; i++) {
            ports[i] = out(dp, i).srcPort();
            taken.add(ports[i]);
        }
        long blocksBefore = first.poolUsage().get(0).blocksInUse();
        assertThat(blocksBefore).as("a block per host").isEqualTo(200);

        NatManager second = update(dp, first, 1 << 14, blocks);
        assertThat(second.sessionCount()).isEqualTo(flows);
        assertThat(second.poolUsage().get(0).blocksInUse()).as("the blocks came along").isEqualTo(blocksBefore);
        for (int i = 0; i < flows; i++) {
            assertThat(out(dp, i).srcPort()).isEqualTo(ports[i]);
            back(dp, i, ports[i]);
        }
        for (int i = flows; i < 2 * flows; i++) {
            int p = out(dp, i).srcPort();
            assertThat(taken.add(p)).as("new flow %d got port %d, which an adopted flow holds", i, p).isTrue();
            // a host's new flows stay in its own block
            assertThat(p & -64).isEqualTo(ports[i % 200] & -64);
        }
        assertThat(second.poolUsage().get(0).blocksInUse()).isEqualTo(blocksBefore);
        dp.advance(Duration.ofSeconds(31));
        for (int k = 0; k < 20 && second.sessionCount() > 0; k++) {
            dp.advance(Duration.ofMillis(100));
        }
        dp.advance(Duration.ofSeconds(6));
        assertThat(second.poolUsage().get(0).blocksInUse()).isZero();
        assertThat(portsInUse(second)).isZero();
    }

    /**
     * The order of a real bundle update: the old configuration component removes its pool before the translator
     * deposits, and the new one adds it only after the dataplane attached the new translator. The pool must come
     * back on its handed-over allocators, not on a second set that hands out the adopted flows' ports again.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aPoolRemovedBeforeTheDepositAndAddedAfterTheAttachKeepsItsAllocators(int workers) {
        NatManager first = translator(1 << 14);
        first.addPool(POOL);
        FakeDataplane dp = dataplane(workers, first);
        int flows = 200;
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < flows; i++) {
            taken.add(out(dp, i).srcPort());
        }
        first.removePool(POOL.name());
        NatManager second = update(dp, first, 1 << 14, null);
        second.addPool(POOL);
        assertThat(second.sessionCount()).isEqualTo(flows);
        assertThat(second.poolUsage()).hasSize(1);
        assertThat(portsInUse(second)).as("the pool's adopted ports count at once").isEqualTo(flows);
        for (int i = flows; i < 2 * flows; i++) {
            int p = out(dp, i).srcPort();
            assertThat(taken.add(p)).as("new flow %d got port %d, which an adopted flow holds", i, p).isTrue();
        }
        assertThat(portsInUse(second)).isEqualTo(2L * flows);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void portsInHoldDownStayHeldAcrossAnUpdate(int workers) {
        NatManager first = translator(1 << 14);
        first.addPool(POOL);
        FakeDataplane dp = dataplane(workers, first);
        int flows = 40;
        Set<Integer> held = new HashSet<>();
        for (int i = 0; i < flows; i++) {
            held.add(out(dp, i).srcPort());
        }
        dp.advance(Duration.ofSeconds(31));
        for (int k = 0; k < 20 && first.sessionCount() > 0; k++) {
            dp.advance(Duration.ofMillis(100));
        }
        assertThat(first.sessionCount()).isZero();
        assertThat(portsInUse(first)).as("expired sessions' ports in hold-down").isEqualTo(flows);

        NatManager second = update(dp, first, 1 << 14, POOL);
        assertThat(second.lastHandOver()).startsWith("adopted 0 sessions");
        assertThat(portsInUse(second)).as("still held after the update").isEqualTo(flows);
        for (int i = flows; i < 3 * flows; i++) {
            assertThat(held).as("a new flow got a port in hold-down").doesNotContain(out(dp, i).srcPort());
        }
        dp.advance(Duration.ofSeconds(31));
        for (int k = 0; k < 20 && second.sessionCount() > 0; k++) {
            dp.advance(Duration.ofMillis(100));
        }
        dp.advance(Duration.ofSeconds(6));
        assertThat(portsInUse(second)).as("held ports returned on their old schedule").isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aDifferentHoldCapacityIsRefused(int workers) {
        NatManager first = translator(1 << 14);
        first.addPool(POOL);
        FakeDataplane dp = dataplane(workers, first);
        out(dp, 1);
        first.close();
        NatManager second = new NatManager(new NatSettings(SHORT, 1 << 14, 1024, Duration.ofSeconds(5), 1 << 20,
                OtherProtocolPolicy.DROP, false, 4096));
        second.setStateKeeper(keeper);
        nats.add(second);
        second.setClock(dp.clock());
        second.addPool(POOL);
        dp.replace(second);
        assertThat(second.lastHandOver()).startsWith("refused: port allocator of worker 0: hold capacity ")
                .endsWith("; started clean");
        assertThat(second.sessionCount()).isZero();
        assertThat(portsInUse(second)).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aDataplaneRestartKeepsTheSessions(int workers) {
        NatManager nat = translator(1 << 14);
        nat.addPool(POOL);
        FakeDataplane dp = dataplane(workers, nat);
        int p = out(dp, 7).srcPort();
        dp.close();
        dps.remove(dp);
        assertThat(keeper.deposits()).singleElement().satisfies(d -> assertThat(d.owner()).isEqualTo("nat"));
        FakeDataplane again = dataplane(workers, nat);
        assertThat(nat.lastHandOver()).startsWith("adopted 1 sessions");
        assertThat(keeper.deposits()).isEmpty();
        assertThat(out(again, 7).srcPort()).isEqualTo(p);
        back(again, 7, p);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void staticMappingsAndCommandPoolsGoOnAfterAnUpdate(int workers) {
        NatManager first = translator(1 << 14);
        first.addPool(POOL);
        StaticMapping web = new StaticMapping(Protocol.TCP, new Endpoint(GLOBAL, 8080),
                new Endpoint(ip("198.18.0.10"), 80));
        first.addStaticMapping(web);
        FakeDataplane dp = dataplane(workers, first);
        out(dp, 1);
        NatManager second = update(dp, first, 1 << 14, null);
        assertThat(second.pools()).containsExactly(POOL);
        assertThat(second.staticMappings()).containsExactly(web);
        second.addPool(POOL); // the pool's configuration file arrives again: nothing changes
        assertThat(second.pools()).containsExactly(POOL);
        assertThat(second.lastHandOver()).startsWith("adopted 1 sessions");
    }

    /**
     * After an update of the API bundle the next translator's API classes are new ones: the descriptor must carry
     * nothing of the old revision's classes, only JDK values (loaded by the boot loader), and still restore every
     * pool setting and static mapping.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void theDescriptorHoldsOnlyJdkValuesAndRestoresPoolsAndStaticMappings(int workers) {
        NatManager first = translator(1 << 14);
        PoolDefinition two = new PoolDefinition("two-ranges", List.of(new Ipv4Range(GLOBAL, GLOBAL),
                new Ipv4Range(ip("198.19.0.10"), ip("198.19.0.11"))), 2000, 40000,
                MappingBehavior.ADDRESS_AND_PORT_DEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT, false, 77, false);
        first.addPool(two);
        first.addStaticMapping(DNS);
        FakeDataplane dp = dataplane(workers, first);
        out(dp, 1);
        first.close();
        StateDeposit d = keeper.claim(NatManager.STATE_OWNER);
        List<Object> values = new ArrayList<>();
        collect(d.descriptor(), values);
        assertThat(values).isNotEmpty().allSatisfy(v -> assertThat(v.getClass().getClassLoader())
                .as("%s of %s", v, v.getClass()).isNull());
        keeper.deposit(d);
        NatManager second = translator(1 << 14);
        second.setClock(dp.clock());
        dp.replace(second);
        assertThat(second.lastHandOver()).startsWith("adopted 1 sessions");
        assertThat(second.pools()).containsExactly(two);
        assertThat(second.staticMappings()).containsExactly(DNS);
    }

    private static void collect(Object v, List<Object> into) {
        into.add(v);
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> {
                collect(k, into);
                collect(x, into);
            });
        } else if (v instanceof Iterable<?> it) {
            it.forEach(x -> collect(x, into));
        }
    }

    static final PoolDefinition NARROW = new PoolDefinition("public", List.of(new Ipv4Range(GLOBAL, GLOBAL)), 1025,
            1100, MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_DEPENDENT, true, 0, true);
    static final StaticMapping DNS = new StaticMapping(Protocol.UDP, new Endpoint(GLOBAL, 1050),
            new Endpoint(ip("198.18.0.10"), 53));

    /** Sends one UDP packet out; returns its outside port, or -1 if the translator dropped it (pool exhausted). */
    static int tryOut(FakeDataplane dp, int i) {
        dp.clearOutputs();
        dp.receive(Frames.udp(inside(i), insidePort(i), REMOTE, 53).build(), true);
        dp.run();
        return dp.toOutside.isEmpty() ? -1 : new FrameView(dp.toOutside.get(0).frame()).srcPort();
    }

    /** Exhausts the narrow pool's UDP ports with new flows and returns the outside ports they got. */
    static Set<Integer> exhaust(FakeDataplane dp) {
        Set<Integer> got = new HashSet<>();
        for (int i = 1; i < 400; i++) {
            int p = tryOut(dp, i);
            if (p >= 0) {
                assertThat(got.add(p)).as("flow %d got port %d twice", i, p).isTrue();
            }
        }
        return got;
    }

    /**
     * Checks, after a re-attach that adopted flow 0's session on port {@code first}, that the static mapping's port
     * goes to no dynamic flow while new flows take every other port, and that its inbound traffic reaches it.
     */
    static void assertStaticHolds(FakeDataplane dp, NatManager nat, int first) {
        assertThat(nat.lastHandOver()).startsWith("adopted 1 sessions");
        assertThat(nat.staticMappings()).containsExactly(DNS);
        Set<Integer> dynamic = exhaust(dp);
        dynamic.add(first);
        assertThat(dynamic).as("a dynamic flow got the static mapping's port").doesNotContain(1050);
        assertThat(dynamic.size()).as("every other port of the pool went to a dynamic flow")
                .isEqualTo(1100 - 1025 + 1 - 1);
        dp.clearOutputs();
        dp.receive(Frames.udp(REMOTE, 5353, GLOBAL, 1050).build(), false);
        dp.run();
        assertThat(dp.toInside).as("inbound to the static mapping").hasSize(1);
        FrameView v = new FrameView(dp.toInside.get(0).frame());
        v.assertChecksumsValid();
        assertThat(v.dst()).isEqualTo(DNS.inside().address());
        assertThat(v.dstPort()).isEqualTo(53);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aStaticMappingAddedWhileDetachedIsReservedInTheAdoptedAllocators(int workers) {
        NatManager nat = translator(1 << 14);
        nat.addPool(NARROW);
        FakeDataplane dp = dataplane(workers, nat);
        int first = out(dp, 0).srcPort();
        dp.close();
        dps.remove(dp);
        nat.addStaticMapping(DNS);
        assertStaticHolds(dataplane(workers, nat), nat, first);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aStaticMappingANewRevisionAddsIsReservedInTheAdoptedAllocators(int workers) {
        NatManager first = translator(1 << 14);
        first.addPool(NARROW);
        FakeDataplane dp = dataplane(workers, first);
        int p0 = out(dp, 0).srcPort();
        first.close();
        NatManager second = translator(1 << 14);
        second.setClock(dp.clock());
        second.addPool(NARROW);
        second.addStaticMapping(DNS);
        dp.replace(second);
        assertStaticHolds(dp, second, p0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aStaticMappingRemovedWhileDetachedFreesItsPortInTheAdoptedAllocators(int workers) {
        NatManager nat = translator(1 << 14);
        nat.addPool(NARROW);
        nat.addStaticMapping(DNS);
        FakeDataplane dp = dataplane(workers, nat);
        out(dp, 0);
        dp.close();
        dps.remove(dp);
        assertThat(nat.removeStaticMapping(Protocol.UDP, DNS.global())).isTrue();
        FakeDataplane again = dataplane(workers, nat);
        assertThat(nat.lastHandOver()).startsWith("adopted 1 sessions");
        assertThat(exhaust(again)).as("the port of the removed mapping goes to dynamic flows again").contains(1050)
                .hasSize(1100 - 1025 + 1 - 1);
    }

    /** Checks that every counter of {@code now} is at least that of {@code before}. */
    static void assertNotBelow(NatCounters now, NatCounters before) {
        assertThat(now.packetsIn2Out()).isGreaterThanOrEqualTo(before.packetsIn2Out());
        assertThat(now.packetsOut2In()).isGreaterThanOrEqualTo(before.packetsOut2In());
        assertThat(now.sessionsCreated()).isGreaterThanOrEqualTo(before.sessionsCreated());
        assertThat(now.sessionsDeleted()).isGreaterThanOrEqualTo(before.sessionsDeleted());
        assertThat(now.refusedExhausted()).isGreaterThanOrEqualTo(before.refusedExhausted());
        assertThat(now.refusedQuota()).isGreaterThanOrEqualTo(before.refusedQuota());
        assertThat(now.handoffs()).isGreaterThanOrEqualTo(before.handoffs());
        before.drops().forEach((reason, n) -> assertThat(now.drops().get(reason)).as("drops %s", reason)
                .isGreaterThanOrEqualTo(n));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void countersGoOnAcrossAnUpdate(int workers) {
        NatManager first = translator(1 << 14);
        first.addPool(NARROW);
        FakeDataplane dp = dataplane(workers, first);
        int flows = 30;
        int[] ports = new int[flows];
        for (int i = 0; i < flows; i++) {
            ports[i] = out(dp, i).srcPort();
            back(dp, i, ports[i]);
        }
        // exhausted refusals and drops count too: the narrow pool has 76 UDP ports
        for (int i = flows; i < 200; i++) {
            tryOut(dp, i);
        }
        dp.clearOutputs();
        dp.receive(Frames.udp(REMOTE, 53, GLOBAL, 1099).build(), false);
        dp.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> first.counters().refusedExhausted() > 0);
        NatCounters before = first.counters();
        assertThat(before.packetsIn2Out()).isGreaterThanOrEqualTo(flows);
        assertThat(before.packetsOut2In()).isGreaterThanOrEqualTo(flows);
        assertThat(before.sessionsCreated()).isEqualTo(before.sessionsActive());
        assertThat(before.drops().values().stream().mapToLong(Long::longValue).sum()).isPositive();

        NatManager second = update(dp, first, 1 << 14, NARROW);
        assertThat(second.lastHandOver()).startsWith("adopted " + before.sessionsActive() + " sessions");
        assertNotBelow(second.counters(), before);
        for (int i = 0; i < flows; i++) {
            assertThat(out(dp, i).srcPort()).isEqualTo(ports[i]);
            back(dp, i, ports[i]);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            NatCounters after = second.counters();
            assertNotBelow(after, before);
            assertThat(after.packetsIn2Out()).as("in2out goes on").isGreaterThanOrEqualTo(before.packetsIn2Out()
                    + flows);
            assertThat(after.packetsOut2In()).as("out2in goes on").isGreaterThanOrEqualTo(before.packetsOut2In()
                    + flows);
            assertThat(after.sessionsActive()).isEqualTo(before.sessionsActive());
        });
        assertThat(second.poolUsage().get(0).udpSessions()).as("per-pool sessions recounted, not doubled")
                .isEqualTo(before.sessionsActive());

        dp.advance(Duration.ofSeconds(31));
        for (int k = 0; k < 20 && second.sessionCount() > 0; k++) {
            dp.advance(Duration.ofMillis(100));
        }
        assertThat(second.sessionCount()).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(second.counters().sessionsDeleted())
                .as("deletions go on from the adopted count").isEqualTo(before.sessionsCreated()));
    }

    @ParameterizedTest
    @ValueSource(ints = {2})
    void aDifferentWorkerCountIsRefusedFreedAndStartsClean(int workers) {
        NatManager first = translator(1 << 14);
        first.addPool(POOL);
        FakeDataplane dp = dataplane(workers, first);
        out(dp, 1);
        first.close();
        dp.close();
        dps.remove(dp);
        List<Arena> arenas = peekArenas();
        NatManager second = translator(1 << 14);
        second.addPool(POOL);
        FakeDataplane four = dataplane(4, second);
        assertThat(second.lastHandOver()).isEqualTo("refused: workers 2 != 4; started clean");
        assertThat(second.sessionCount()).isZero();
        assertThat(portsInUse(second)).isZero();
        out(four, 1);
        assertThat(second.sessionCount()).isEqualTo(1);
        assertFreed(arenas);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void otherMismatchesAreRefusedByName(int workers) {
        assertRefused(workers, 1 << 14, 1 << 14, POOL, POOL, false,
                "refused: layout 1 != " + HandOverFormat.LAYOUT_VERSION
                        + "; started clean");
        assertRefused(workers, 1 << 14, 1 << 15, POOL, POOL, false,
                "refused: sessions per worker " + (1 << 14) / workers + " != " + (1 << 15) / workers
                        + " (sessions.max 32768); started clean");
        PoolDefinition narrower = new PoolDefinition("public", POOL.addresses(), 2000, 2999, POOL.mapping(),
                POOL.filtering(), true, 0, true);
        assertRefused(workers, 1 << 14, 1 << 14, POOL, narrower, true, "refused: pool public changed: " + POOL
                + " != " + narrower + "; started clean");
    }

    private void assertRefused(int workers, int sessionsBefore, int sessionsAfter, PoolDefinition before,
            PoolDefinition after, boolean keepLayout, String expected) {
        NatManager first = translator(sessionsBefore);
        first.addPool(before);
        FakeDataplane dp = dataplane(workers, first);
        out(dp, 1);
        first.close();
        if (!keepLayout && sessionsBefore == sessionsAfter) {
            // what a revision with another layout would have deposited: the same memory, version 1
            StateDeposit d = keeper.claim(NatManager.STATE_OWNER);
            keeper.deposit(new StateDeposit(d.owner(), 1, d.descriptor(), d.segments(), d.arenas()));
        }
        List<Arena> arenas = peekArenas();
        NatManager second = translator(sessionsAfter);
        // the manual clock, which the ticks use: on the system clock the new session is due at the first tick
        second.setClock(dp.clock());
        second.addPool(after);
        dp.replace(second);
        assertThat(second.lastHandOver()).isEqualTo(expected);
        assertThat(second.sessionCount()).isZero();
        FrameView v = out(dp, 2);
        assertThat(v.src()).isEqualTo(GLOBAL);
        assertThat(second.sessionCount()).isEqualTo(1);
        assertFreed(arenas);
        dp.close();
        dps.remove(dp);
    }

    /** Refused memory is freed once every worker ran the new translator, by its logging thread. */
    private static void assertFreed(List<Arena> arenas) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(arenas).allSatisfy(a -> assertThat(a
                .scope().isAlive()).as("refused memory freed").isFalse()));
    }

    /** The arenas the keeper holds for the NAT now, seen by claiming and depositing again. */
    private List<Arena> peekArenas() {
        StateDeposit d = keeper.claim(NatManager.STATE_OWNER);
        assertThat(d).as("the NAT deposited its state").isNotNull();
        keeper.deposit(d);
        return d.arenas();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void twentyUpdatesInARowKeepTheSessionsAndLeakNoMemory(int workers) {
        NatManager nat = translator(1 << 14);
        nat.addPool(POOL);
        FakeDataplane dp = dataplane(workers, nat);
        int flows = 50;
        int[] ports = new int[flows];
        for (int i = 0; i < flows; i++) {
            ports[i] = out(dp, i).srcPort();
        }
        Map<Arena, Boolean> seen = new IdentityHashMap<>();
        for (int round = 0; round < 20; round++) {
            nat.close();
            for (Arena a : peekArenas()) {
                seen.put(a, true);
            }
            NatManager next = translator(1 << 14);
            next.setClock(dp.clock());
            next.addPool(POOL);
            dp.replace(next);
            nat = next;
            assertThat(nat.sessionCount()).as("round %d", round).isEqualTo(flows);
            assertThat(keeper.deposits()).isEmpty();
            int i = round % flows;
            assertThat(out(dp, i).srcPort()).isEqualTo(ports[i]);
        }
        assertThat(seen).as("one arena per worker, handed along, never copied").hasSize(workers);
        assertThat(portsInUse(nat)).isEqualTo(flows);
        dp.close();
        dps.remove(dp);
        assertThat(keeper.deposits()).singleElement().satisfies(d -> assertThat(d.arenas()).isEqualTo(workers));
        keeper.close();
        assertThat(seen.keySet()).allSatisfy(a -> assertThat(a.scope().isAlive()).isFalse());
    }
}
