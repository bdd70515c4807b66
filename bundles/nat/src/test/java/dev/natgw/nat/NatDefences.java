package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.internal.SourceRules;
import dev.natgw.nat.testing.FakeDataplane;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the translator believes of the packets it is sent: sources outside the inside prefixes, ICMP errors from
 * hosts other than the one the quoted packet went to, and ICMP errors whose checksum is wrong (issue 16, RFC 5508
 * REQ-3); and how much it answers a host it refuses. Every refusal is counted by reason and leaves no port, session
 * or host entry behind.
 */
abstract class NatDefences extends NatHarness {
    /** The inside network of these tests: INSIDE_A, INSIDE_B and SERVER lie in it. */
    static final SourceRules LAB = new SourceRules(List.of(Ipv4Range.parse("198.18.0.0/24")), true);
    static final int STRANGER = ip("198.18.1.5");
    static final int INSIDE_ROUTER = ip("198.18.0.254");

    void startLab(boolean icmpErrorsFromQuotedDestination) {
        start(defaults(), OtherProtocolPolicy.ADDRESS_ONLY,
                new SourceRules(LAB.insidePrefixes(), icmpErrorsFromQuotedDestination));
    }

    @Test
    void sourcesOutsideTheInsidePrefixesTakeNoPortNoSessionAndNoHost() {
        startLab(true);
        dropped(Frames.udp(STRANGER, 5000, REMOTE, 53).build(), true);
        dropped(syn(STRANGER, 40000, REMOTE, 80), true);
        dropped(Frames.echoRequest(STRANGER, REMOTE, 7, 1).build(), true);
        dropped(Frames.other(STRANGER, REMOTE, Frames.GRE).payload(new byte[8]).build(), true);
        assertThat(nat.counters().drops("source-not-inside")).isEqualTo(4);
        assertThat(nat.sessionCount()).isZero();
        assertThat(nat.poolUsage().get(0).portsInUse()).isZero();
        assertThat(nat.counters().packetsIn2Out()).isZero();
        // the hosts inside are served as before
        FrameView out = through(Frames.udp(INSIDE_A, 5000, REMOTE, 53).build(), true, false);
        assertThat(out.src()).isEqualTo(GLOBAL);
    }

    @Test
    void aFloodOfSpoofedSourcesLeavesTheTablesEmpty() {
        startLab(true);
        dp.clearOutputs();
        int flood = 20_000;
        for (int k = 0; k < flood; k++) {
            // every source a different address beyond the inside prefixes, as a spoofing host would send
            dp.receive(Frames.udp(ip("198.18.64.0") + (k & 0x3fff), 1024 + (k & 0x3fff), REMOTE, 53).build(), true);
            if ((k & 255) == 255) {
                dp.run();
            }
        }
        dp.run();
        assertThat(dp.toOutside).isEmpty();
        assertThat(nat.counters().drops("source-not-inside")).isEqualTo(flood);
        assertThat(nat.sessionCount()).isZero();
        assertThat(nat.poolUsage().get(0).portsInUse()).isZero();
        // an honest host still gets through at once
        through(syn(INSIDE_B, 40000, REMOTE, 80), true, false);
        assertThat(nat.sessionCount()).isEqualTo(1);
    }

    @Test
    void theDefaultPrefixesAreTheSpecialUseRangesInsideNetworksUse() {
        start(defaults());
        for (String inside : List.of("10.1.2.3", "100.64.0.9", "172.31.255.1", "192.168.1.20", "198.18.7.7")) {
            through(Frames.udp(ip(inside), 5000, REMOTE, 53).build(), true, false);
        }
        for (String stranger : List.of("203.0.113.9", "100.128.0.1", "172.32.0.1", "11.0.0.1")) {
            dropped(Frames.udp(ip(stranger), 5000, REMOTE, 53).build(), true);
        }
        assertThat(nat.counters().drops("source-not-inside")).isEqualTo(4);
        assertThat(nat.sessionCount()).isEqualTo(5);
    }

    @Test
    void anyPrefixAcceptsEverySource() {
        start(defaults(), OtherProtocolPolicy.DROP, new SourceRules(List.of(Ipv4Range.parse("0.0.0.0/0")), true));
        FrameView out = through(Frames.udp(ip("203.0.113.9"), 5000, REMOTE, 53).build(), true, false);
        assertThat(out.src()).isEqualTo(GLOBAL);
        assertThat(nat.counters().drops("source-not-inside")).isZero();
    }

    @Test
    void anInsideIcmpErrorCountsOnlyFromTheHostTheQuotedPacketWentTo() {
        startLab(true);
        byte[] toA = quotedReturn(INSIDE_A);
        // B, another inside host, and a router on the inside network: neither may speak for A's session
        dropped(Frames.icmpError(INSIDE_B, REMOTE, 3, 3, toA).build(), true);
        dropped(Frames.icmpError(INSIDE_ROUTER, REMOTE, 11, 0, toA).build(), true);
        assertThat(nat.counters().drops("icmp-error-source")).isEqualTo(2);
        FrameView err = through(Frames.icmpError(INSIDE_A, REMOTE, 3, 3, toA).build(), true, false);
        assertThat(err.src()).isEqualTo(GLOBAL);
        assertThat(err.inner().dst()).isEqualTo(GLOBAL);
    }

    @Test
    void insideRoutersMayReportWhenTheSettingAllowsAnyInsideSource() {
        startLab(false);
        byte[] toA = quotedReturn(INSIDE_A);
        FrameView err = through(Frames.icmpError(INSIDE_ROUTER, REMOTE, 11, 0, toA).build(), true, false);
        assertThat(err.src()).isEqualTo(GLOBAL);
        assertThat(err.inner().dst()).isEqualTo(GLOBAL);
        // still not from beyond the inside prefixes
        dropped(Frames.icmpError(STRANGER, REMOTE, 11, 0, toA).build(), true);
        assertThat(nat.counters().drops("icmp-error-source")).isEqualTo(1);
    }

    @Test
    void icmpErrorsWithABadChecksumAreDroppedBothWays() {
        startLab(true);
        FrameView out = through(Frames.udp(INSIDE_A, 5353, REMOTE, 9).payload(new byte[20]).build(), true, false);
        dropped(Frames.icmpError(REMOTE, GLOBAL, 3, 3, out.bytes()).badL4Checksum().build(), false);
        byte[] toA = through(Frames.udp(REMOTE, 9, GLOBAL, out.srcPort()).build(), false, true).bytes();
        dropped(Frames.icmpError(INSIDE_A, REMOTE, 3, 3, toA).badL4Checksum().build(), true);
        assertThat(nat.counters().drops("bad-l4-checksum")).isEqualTo(2);
        // the same errors with their checksums right pass, in both directions
        through(Frames.icmpError(REMOTE, GLOBAL, 3, 3, out.bytes()).build(), false, true);
        through(Frames.icmpError(INSIDE_A, REMOTE, 3, 3, toA).build(), true, false);
    }

    @Test
    void refusedFlowsAreAnsweredWithIcmpOnlyWithinTheWorkersBudget() {
        // one port: at most the first flow gets it, every later one is refused on INSIDE_A's home worker
        start(new PoolDefinition("one", List.of(new Ipv4Range(GLOBAL, GLOBAL)), 30000, 30000,
                MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_DEPENDENT, true, 0, true),
                OtherProtocolPolicy.DROP, SourceRules.DEFAULTS);
        assertThat(refusals(250, 10000)).as("a second's worth at once, of the default 100 a second").isEqualTo(100);
        long refused = nat.counters().drops("pool-exhausted");
        assertThat(refused).isBetween(249L, 250L);
        assertThat(nat.counters().drops("icmp-rate-limited")).isEqualTo(refused - 100);
        dp.advance(Duration.ofMillis(500));
        assertThat(refusals(250, 20000)).as("half a second later, half a second's worth").isEqualTo(50);
        assertThat(nat.counters().drops("pool-exhausted")).isEqualTo(refused + 250);
        assertThat(nat.counters().drops("icmp-rate-limited")).isEqualTo(refused - 100 + 200);
    }

    /** Sends {@code n} new flows from INSIDE_A at the same instant; returns how many were answered with ICMP. */
    private int refusals(int n, int firstPort) {
        dp.clearOutputs();
        for (int k = 0; k < n; k++) {
            dp.receive(Frames.udp(INSIDE_A, firstPort + k, REMOTE, 53).build(), true);
        }
        dp.run();
        for (FakeDataplane.Out o : dp.toInside) {
            FrameView v = new FrameView(o.frame());
            assertThat(v.icmpType()).isEqualTo(3);
            assertThat(v.icmpCode()).isEqualTo(13);
        }
        return dp.toInside.size();
    }

    @Test
    void aUdpSessionOpenedFromOutsideLivesTheShortTimeoutUntilTheInsideAnswers() {
        start(defaults(),
                new NatSettings(SHORT, 1 << 16, 1024, Duration.ofSeconds(5), 1 << 16, OtherProtocolPolicy.DROP,
                        true, 4096, SourceRules.DEFAULTS, 100, Duration.ofSeconds(5)));
        int port = through(Frames.udp(INSIDE_A, 5000, REMOTE, 53).build(), true, false).srcPort();
        // address-dependent filtering admits any port of REMOTE: each new one opens a session from outside
        through(Frames.udp(REMOTE, 6000, GLOBAL, port).build(), false, true);
        through(Frames.udp(REMOTE, 7000, GLOBAL, port).build(), false, true);
        assertThat(nat.sessionCount()).isEqualTo(3);
        // the inside host answers 7000 only; REMOTE keeps sending from 6000, which does not extend it
        through(Frames.udp(INSIDE_A, 5000, REMOTE, 7000).build(), true, false);
        dp.advance(Duration.ofSeconds(3));
        through(Frames.udp(REMOTE, 6000, GLOBAL, port).build(), false, true);
        dp.advance(Duration.ofSeconds(3));
        assertThat(nat.sessions(SessionFilter.ALL, 10)).as("6 s after it opened, 6000's session is gone")
                .extracting(si -> si.remote().port()).containsExactlyInAnyOrder(53, 7000);
        // answered, 7000 lives the UDP timeout (30 s here), as the session the inside opened does
        dp.advance(Duration.ofSeconds(20));
        assertThat(nat.sessions(SessionFilter.ALL, 10)).extracting(si -> si.remote().port())
                .containsExactlyInAnyOrder(53, 7000);
    }

    /** Opens a UDP session from an inside host and returns the translated reply it was sent, as an error quotes it. */
    private byte[] quotedReturn(int host) {
        FrameView out = through(Frames.udp(host, 5353, REMOTE, 9).build(), true, false);
        return through(Frames.udp(REMOTE, 9, GLOBAL, out.srcPort()).build(), false, true).bytes();
    }
}
