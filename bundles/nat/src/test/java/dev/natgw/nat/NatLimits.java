package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.internal.NatSettings.RefreshDirection;
import dev.natgw.nat.internal.SourceRules;
import dev.natgw.nat.testing.FakeDataplane;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The subscriber limits of a pool (issue 16, RFC 6888 REQ-4 and REQ-5) and the refresh direction (RFC 4787 REQ-6):
 * what one inside host may hold and open, what outside packets may open on its mappings, and that a host at its
 * limit leaves every other host served. Each refusal is counted by reason, and the counts drain as sessions end.
 */
abstract class NatLimits extends NatHarness {
    static final int REMOTES = ip("198.19.1.0");

    static PoolDefinition limited(SubscriberLimits limits) {
        return defaults().withLimits(limits);
    }

    static PoolDefinition limited(MappingBehavior mapping, FilteringBehavior filtering, SubscriberLimits limits) {
        return new PoolDefinition("public", List.of(new Ipv4Range(GLOBAL, GLOBAL)), 1025, 65535, mapping, filtering,
                true, 0, false, limits);
    }

    @Test
    void theLimitsAreOnByDefault() {
        PoolDefinition p = defaults();
        assertThat(p.perHostPortQuota()).isEqualTo(PoolDefinition.DEFAULT_PORT_QUOTA);
        assertThat(p.limits()).isEqualTo(SubscriberLimits.DEFAULT);
        assertThat(p.limits().sessionsPerHost()).isPositive();
        assertThat(p.limits().mappingsPerSecond()).isPositive();
        assertThat(p.limits().inboundSessionsPerMapping()).isPositive();
    }

    @Test
    void aHostAtItsSessionLimitIsRefusedAndTheOthersAreServed() {
        start(limited(new SubscriberLimits(40, 0, 0, 0)));
        // new mappings (a source port each) and new sessions on one reused mapping both count
        assertThat(flows(INSIDE_A, 20, 6000, true)).isEqualTo(20);
        assertThat(flows(INSIDE_A, 30, 7000, false)).isEqualTo(20);
        assertThat(nat.counters().drops("session-limit")).isEqualTo(10);
        assertThat(nat.sessionCount()).isEqualTo(40);
        // another host is not held back by A
        assertThat(flows(INSIDE_B, 30, 6000, true)).isEqualTo(30);
        // as A's sessions end, A may open as many again
        dp.advance(Duration.ofSeconds(31));
        assertThat(nat.sessionCount()).isZero();
        assertThat(flows(INSIDE_A, 45, 8000, true)).isEqualTo(40);
        assertThat(nat.counters().drops("session-limit")).isEqualTo(15);
    }

    @Test
    void newMappingsArePacedByTheHostsBucket() {
        // 100 a second, 20 at once
        start(limited(new SubscriberLimits(0, 100, 20, 0)));
        through(Frames.udp(INSIDE_A, 5999, REMOTE, 53).build(), true, false);
        assertThat(flows(INSIDE_A, 50, 6000, true)).isEqualTo(19);
        assertThat(nat.counters().drops("mapping-rate")).isEqualTo(31);
        // a refusal by rate logs no event: a flood would only fill the event ring
        assertThat(nat.counters().drops("event-log-full")).isZero();
        dp.advance(Duration.ofMillis(100));
        assertThat(flows(INSIDE_A, 50, 7000, true)).as("a tenth of a second buys ten").isEqualTo(10);
        // new sessions on an existing mapping take no token
        assertThat(flows(INSIDE_A, 30, 5999, false)).isEqualTo(30);
        // another host has its own bucket
        assertThat(flows(INSIDE_B, 20, 6000, true)).isEqualTo(20);
        dp.advance(Duration.ofSeconds(10));
        assertThat(flows(INSIDE_A, 50, 9000, true)).as("a bucket fills to its depth, no further").isEqualTo(20);
    }

    @Test
    void theRefusalIsAnsweredWithIcmpWhereThePoolSaysSo() {
        start(defaults().withLimits(new SubscriberLimits(1, 0, 0, 0)));
        through(Frames.udp(INSIDE_A, 5000, REMOTE, 53).build(), true, false);
        FrameView answer = through(Frames.udp(INSIDE_A, 5001, REMOTE, 53).build(), true, true);
        assertThat(answer.icmpType()).isEqualTo(3);
        assertThat(answer.icmpCode()).isEqualTo(13);
        assertThat(answer.dst()).isEqualTo(INSIDE_A);
        assertThat(nat.counters().drops("session-limit")).isEqualTo(1);
    }

    @Test
    void outsidePacketsOpenOnlyBoundedSessionsOnAMapping() {
        start(limited(MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_DEPENDENT,
                new SubscriberLimits(0, 0, 0, 16)), settings(Duration.ofSeconds(5), RefreshDirection.OUTBOUND));
        int port = through(Frames.udp(INSIDE_A, 5000, REMOTE, 53).build(), true, false).srcPort();
        // REMOTE was contacted: address-dependent filtering lets any of its ports in, each a session
        dp.clearOutputs();
        for (int k = 0; k < 200; k++) {
            dp.receive(Frames.udp(REMOTE, 10000 + k, GLOBAL, port).build(), false);
        }
        dp.run();
        assertThat(dp.toInside).as("the mapping holds 16 sessions: the inside one and 15 from outside").hasSize(15);
        // which 15 depends on the order the workers took the packets in
        int admitted = new FrameView(dp.toInside.get(0).frame()).srcPort();
        assertThat(nat.counters().drops("inbound-limit")).isEqualTo(185);
        assertThat(nat.sessionCount()).isEqualTo(16);
        // the sessions that exist keep working both ways, and the inside host still opens new ones
        through(Frames.udp(REMOTE, admitted, GLOBAL, port).build(), false, true);
        through(Frames.udp(INSIDE_A, 5000, REMOTE, admitted).build(), true, false);
        through(Frames.udp(INSIDE_A, 5000, REMOTE2, 53).build(), true, false);
        assertThat(flows(INSIDE_B, 5, 6000, true)).isEqualTo(5);
        // unanswered, the outside ones go after timeout.udp.unanswered; then outsiders may open some again
        dp.advance(Duration.ofSeconds(6));
        assertThat(nat.sessions(SessionFilter.ALL, 100)).filteredOn(s -> s.inside().address() == INSIDE_A)
                .extracting(s -> s.remote().port()).containsExactlyInAnyOrder(53, 53, admitted);
        through(Frames.udp(REMOTE, 20000, GLOBAL, port).build(), false, true);
    }

    @Test
    void sessionsOpenedFromOutsideCountAgainstTheirHost() {
        start(limited(MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT,
                new SubscriberLimits(10, 0, 0, 0)));
        int port = through(Frames.udp(INSIDE_A, 5000, REMOTE, 53).build(), true, false).srcPort();
        dp.clearOutputs();
        for (int k = 0; k < 50; k++) {
            dp.receive(Frames.udp(REMOTES + k, 53, GLOBAL, port).build(), false);
        }
        dp.run();
        assertThat(dp.toInside).hasSize(9);
        assertThat(nat.counters().drops("session-limit")).isEqualTo(41);
        // A's own new flows meet the same limit; B is untouched
        dropped(Frames.udp(INSIDE_A, 5001, REMOTE, 53).build(), true);
        assertThat(flows(INSIDE_B, 10, 6000, true)).isEqualTo(10);
    }

    @Test
    void outboundRefreshOnlyByDefault() {
        start(defaults().withLimits(SubscriberLimits.NONE));
        int port = through(Frames.udp(INSIDE_A, 5000, REMOTE, 53).build(), true, false).srcPort();
        // REMOTE keeps sending every 10 s; the UDP timeout here is 30 s; the inside host stays silent
        for (int t = 0; t < 4; t++) {
            dp.advance(Duration.ofSeconds(10));
            if (nat.sessionCount() > 0) {
                through(Frames.udp(REMOTE, 53, GLOBAL, port).build(), false, true);
            }
        }
        assertThat(nat.sessionCount()).as("inbound packets did not keep the mapping").isZero();
        assertThat(nat.poolUsage().get(0).portsMapped()).isZero();
    }

    @Test
    void inboundRefreshWhenBothDirectionsAreChosen() {
        start(defaults().withLimits(SubscriberLimits.NONE),
                settings(NatSettings.DEFAULT_UDP_UNANSWERED, RefreshDirection.BOTH));
        int port = through(Frames.udp(INSIDE_A, 5000, REMOTE, 53).build(), true, false).srcPort();
        for (int t = 0; t < 6; t++) {
            dp.advance(Duration.ofSeconds(10));
            through(Frames.udp(REMOTE, 53, GLOBAL, port).build(), false, true);
        }
        assertThat(nat.sessionCount()).as("60 s of inbound packets kept a 30 s session").isEqualTo(1);
    }

    static NatSettings settings(Duration unanswered, RefreshDirection refresh) {
        return new NatSettings(SHORT, 1 << 16, 1024, Duration.ofSeconds(5), 1 << 16, OtherProtocolPolicy.DROP, true,
                4096, SourceRules.DEFAULTS, NatSettings.DEFAULT_ICMP_ANSWERS, unanswered, refresh);
    }

    /**
     * Opens {@code n} UDP flows from {@code host} at one instant, to n remotes, from n source ports starting at
     * {@code firstPort} or all from that one port (one endpoint-independent mapping); returns how many went out.
     */
    private int flows(int host, int n, int firstPort, boolean portEach) {
        dp.clearOutputs();
        for (int k = 0; k < n; k++) {
            dp.receive(Frames.udp(host, portEach ? firstPort + k : firstPort, REMOTES + k, 53).build(), true);
        }
        dp.run();
        for (FakeDataplane.Out o : dp.toOutside) {
            assertThat(new FrameView(o.frame()).src()).isEqualTo(GLOBAL);
        }
        return dp.toOutside.size();
    }
}
