package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.AllocationMode;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.TcpState;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.internal.SourceRules;
import dev.natgw.nat.testing.FakeDataplane;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A translator on a fake dataplane, fed frames built in the test and checked on what comes out, with checksums
 * verified by {@link FrameView}'s own arithmetic. Each suite built on it runs once per subclass, with one worker and
 * with four, as VPP reruns its NAT suite multi-worker.
 */
abstract class NatHarness {
    static final int INSIDE_A = ip("198.18.0.2");
    static final int INSIDE_B = ip("198.18.0.3");
    static final int SERVER = ip("198.18.0.10");
    static final int GLOBAL = ip("198.19.0.1");
    static final int REMOTE = ip("198.19.0.100");
    static final int REMOTE2 = ip("198.19.0.101");

    static final Timeouts SHORT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(600), Duration.ofSeconds(
            20), Duration.ofSeconds(10), Duration.ofSeconds(6));

    NatManager nat;
    FakeDataplane dp;

    abstract int workers();

    /**
     * The allocation the suite's pools use instead of their own, for the reruns in port-block and deterministic
     * mode; null to keep them per session.
     */
    PortAllocation allocation() {
        return null;
    }

    /** {@return whether the suite runs its pools per session, as written} */
    boolean perSession() {
        return allocation() == null;
    }

    /** {@return whether the suite runs its pools deterministically} */
    boolean deterministic() {
        return allocation() != null && allocation().mode() == AllocationMode.DETERMINISTIC;
    }

    /** {@return the address-port pairs one block takes out of service: its ports for the three protocols} */
    long blockPairs() {
        return 3L * allocation().blockSize();
    }

    /** {@return a pool as this suite runs it: in its allocation mode} */
    PoolDefinition asRun(PoolDefinition pool) {
        PortAllocation a = allocation();
        return a == null || pool == null ? pool : pool.withAllocation(a);
    }

    @AfterEach
    void close() {
        if (dp != null) {
            dp.close();
        }
        if (nat != null) {
            nat.close();
        }
    }

    void start(PoolDefinition pool, OtherProtocolPolicy other) {
        start(pool, other, SourceRules.DEFAULTS);
    }

    void start(PoolDefinition pool, OtherProtocolPolicy other, SourceRules sources) {
        start(pool, new NatSettings(SHORT, 1 << 16, 1024, Duration.ofSeconds(5), 1 << 16, other, true, 4096, sources,
                NatSettings.DEFAULT_ICMP_ANSWERS, NatSettings.DEFAULT_UDP_UNANSWERED));
    }

    void start(PoolDefinition pool, NatSettings settings) {
        nat = new NatManager(settings);
        dp = new FakeDataplane(workers());
        nat.setClock(dp.clock());
        if (pool != null) {
            nat.addPool(asRun(pool));
        }
        dp.attach(nat);
    }

    void start(PoolDefinition pool) {
        start(pool, OtherProtocolPolicy.DROP);
    }

    static PoolDefinition pool(MappingBehavior mapping, FilteringBehavior filtering) {
        return new PoolDefinition("public", List.of(new Ipv4Range(GLOBAL, GLOBAL)), 1025, 65535, mapping, filtering,
                true, 0, true);
    }

    static PoolDefinition defaults() {
        return PoolDefinition.of("public", List.of(new Ipv4Range(GLOBAL, GLOBAL)));
    }

    /** Sends one frame in and returns the one frame that came out on the given side. */
    FrameView through(byte[] frame, boolean fromInside, boolean expectInside) {
        dp.clearOutputs();
        dp.receive(frame, fromInside);
        dp.run();
        List<FakeDataplane.Out> out = expectInside ? dp.toInside : dp.toOutside;
        assertThat(out).as("frames out of the %s port; dropped %s", expectInside ? "inside" : "outside",
                dp.dropped.size()).hasSize(1);
        FrameView v = new FrameView(out.get(0).frame());
        v.assertChecksumsValid();
        return v;
    }

    void dropped(byte[] frame, boolean fromInside) {
        dp.clearOutputs();
        dp.receive(frame, fromInside);
        dp.run();
        assertThat(dp.toInside).isEmpty();
        assertThat(dp.toOutside).isEmpty();
        assertThat(dp.dropped).hasSize(1);
    }

    byte[] syn(int src, int sport, int dst, int dport) {
        return Frames.tcp(src, sport, dst, dport).flags(Frames.SYN).build();
    }

    SessionInfo session() {
        List<SessionInfo> all = nat.sessions(SessionFilter.ALL, 10);
        assertThat(all).hasSize(1);
        return all.get(0);
    }
}
