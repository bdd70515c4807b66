package dev.natgw.nat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.FragmentUsage;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
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
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fragments through the translator (RFC 4787 REQ-14, RFC 5508): in order, out of order, overlapping, missing and too
 * many, for UDP, TCP and ICMP echo, both ways. Datagrams are cut and put back together by {@link Fragmenter} and
 * their checksums verified by {@link FrameView}, both with the tests' own arithmetic. Run with one worker and with
 * four, where a datagram's fragments reach one worker by RSS and its first fragment may be handed to the owner.
 */
abstract class NatFragments extends NatHarness {
    private static final FragmentLimits SMALL = new FragmentLimits(4, 3, 8, Duration.ofSeconds(2).toNanos());

    void startWith(FragmentLimits limits) {
        start(defaults(), new NatSettings(SHORT, 1 << 16, 1024, Duration.ofSeconds(5), 1 << 16,
                OtherProtocolPolicy.DROP, true, 4096, SourceRules.DEFAULTS, NatSettings.DEFAULT_ICMP_ANSWERS,
                NatSettings.DEFAULT_UDP_UNANSWERED, limits));
    }

    static byte[] payload(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Sends frames in the given order in one run; returns what came out on one side. */
    List<byte[]> send(List<byte[]> frames, boolean fromInside, boolean expectInside) {
        dp.clearOutputs();
        for (byte[] f : frames) {
            dp.receive(f, fromInside);
        }
        dp.run();
        List<byte[]> out = new ArrayList<>();
        for (FakeDataplane.Out o : expectInside ? dp.toInside : dp.toOutside) {
            FrameView v = new FrameView(o.frame());
            assertThat(v.ipChecksumValid()).as("IP header checksum of every fragment").isTrue();
            out.add(o.frame());
        }
        return out;
    }

    /** Reassembles what came out and checks every checksum of the whole datagram. */
    static FrameView whole(List<byte[]> fragments) {
        FrameView v = new FrameView(Fragmenter.reassemble(fragments));
        v.assertChecksumsValid();
        return v;
    }

    long drops(String reason) {
        return nat.counters().drops(reason);
    }

    long states() {
        NatEngine e = nat.engine();
        dp.advance(Duration.ZERO); // the workers publish their gauges when they tick
        long n = 0;
        for (int w = 0; w < e.workers(); w++) {
            n += e.worker(w).fragmentStates();
        }
        // the API's figures are the workers' own
        List<FragmentUsage> usage = nat.fragmentUsage();
        assertThat(usage).extracting(FragmentUsage::worker).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, e.workers()).boxed().toList());
        assertThat(usage.stream().mapToLong(FragmentUsage::datagrams).sum()).as("NatService.fragmentUsage")
                .isEqualTo(n);
        return n;
    }

    /** {@return the fragments held over all workers, as NatService.fragmentUsage gives them} */
    long heldByApi() {
        return nat.fragmentUsage().stream().mapToLong(FragmentUsage::held).sum();
    }

    @Test
    void aFourThousandByteUdpDatagramPassesBothWaysInOrder() {
        start(defaults());
        byte[] out = Frames.udp(INSIDE_A, 5000, REMOTE, 4500).payload(payload(4000, 1)).build();
        List<byte[]> sent = send(Fragmenter.split(out, 1480), true, false);
        assertThat(sent).hasSize(3);
        FrameView o = whole(sent);
        assertThat(o.src()).isEqualTo(GLOBAL);
        assertThat(o.dst()).isEqualTo(REMOTE);
        assertThat(o.payload()).isEqualTo(payload(4000, 1));
        int port = o.srcPort();

        byte[] back = Frames.udp(REMOTE, 4500, GLOBAL, port).payload(payload(4000, 2)).build();
        List<byte[]> got = send(Fragmenter.split(back, 1480), false, true);
        assertThat(got).hasSize(3);
        FrameView in = whole(got);
        assertThat(in.dst()).isEqualTo(INSIDE_A);
        assertThat(in.dstPort()).isEqualTo(5000);
        assertThat(in.payload()).isEqualTo(payload(4000, 2));
        assertThat(nat.sessionCount()).isEqualTo(1);
        assertThat(states()).as("a datagram whose every byte went through frees its state").isZero();
        assertThat(dp.held()).isZero();
    }

    @Test
    void aThreeThousandBytePingPassesBothWaysOutOfOrder() {
        start(defaults());
        byte[] req = Frames.echoRequest(INSIDE_A, REMOTE, 77, 1).payload(payload(3000, 3)).build();
        List<byte[]> frags = new ArrayList<>(Fragmenter.split(req, 1480));
        Collections.reverse(frags);
        List<byte[]> sent = send(frags, true, false);
        assertThat(sent).hasSize(3);
        FrameView o = whole(sent);
        assertThat(o.src()).isEqualTo(GLOBAL);
        assertThat(o.icmpType()).isEqualTo(Frames.ECHO_REQUEST);
        assertThat(o.payload()).isEqualTo(payload(3000, 3));
        int id = o.icmpId();

        byte[] rep = Frames.echoReply(REMOTE, GLOBAL, id, 1).payload(payload(3000, 3)).build();
        List<byte[]> back = new ArrayList<>(Fragmenter.split(rep, 1480));
        Collections.swap(back, 0, 2);
        FrameView in = whole(send(back, false, true));
        assertThat(in.dst()).isEqualTo(INSIDE_A);
        assertThat(in.icmpId()).isEqualTo(77);
        assertThat(dp.held()).isZero();
        assertThat(states()).isZero();
    }

    @Test
    void fragmentsBeforeTheirFirstAreHeldAcrossBurstsThenSent() {
        start(defaults());
        byte[] out = Frames.udp(INSIDE_A, 5001, REMOTE, 53).payload(payload(2000, 4)).build();
        List<byte[]> frags = Fragmenter.split(out, 1480);
        assertThat(send(List.of(frags.get(1)), true, false)).isEmpty();
        assertThat(dp.held()).isEqualTo(1);
        assertThat(dp.dropped).isEmpty();
        List<byte[]> sent = send(List.of(frags.get(0)), true, false);
        assertThat(sent).hasSize(2);
        assertThat(whole(sent).src()).isEqualTo(GLOBAL);
        assertThat(dp.held()).isZero();
    }

    @Test
    void aFragmentedTcpSegmentPassesBothWays() {
        start(defaults());
        FrameView syn = through(syn(INSIDE_A, 40000, REMOTE, 80), true, false);
        int port = syn.srcPort();
        through(Frames.tcp(REMOTE, 80, GLOBAL, port).flags(Frames.SYN | Frames.ACK).build(), false, true);
        byte[] data = Frames.tcp(INSIDE_A, 40000, REMOTE, 80).flags(Frames.ACK).payload(payload(3000, 5)).build();
        List<byte[]> sent = send(Fragmenter.split(data, 1000), true, false);
        FrameView o = whole(sent);
        assertThat(o.src()).isEqualTo(GLOBAL);
        assertThat(o.srcPort()).isEqualTo(port);
        byte[] reply = Frames.tcp(REMOTE, 80, GLOBAL, port).flags(Frames.ACK).payload(payload(2500, 6)).build();
        List<byte[]> back = new ArrayList<>(Fragmenter.split(reply, 1000));
        Collections.reverse(back);
        FrameView in = whole(send(back, false, true));
        assertThat(in.dst()).isEqualTo(INSIDE_A);
        assertThat(in.dstPort()).isEqualTo(40000);
    }

    @Test
    void overlappingFragmentsRefuseTheirDatagram() {
        start(defaults());
        byte[] out = Frames.udp(INSIDE_A, 5002, REMOTE, 53).payload(payload(3000, 7)).build();
        List<byte[]> frags = Fragmenter.split(out, 1480);
        // a second copy of bytes 1480.. moved back by 8: it overlaps the first fragment's end
        byte[] overlap = Fragmenter.fragment(out, 1472, 16, true);
        List<byte[]> sent = send(List.of(frags.get(0), overlap, frags.get(1), frags.get(2)), true, false);
        assertThat(sent).as("only the first fragment left before the overlap").hasSize(1);
        assertThat(drops("fragment-invalid")).isEqualTo(3);
    }

    @Test
    void aTinyFirstTcpFragmentIsRefused() {
        start(defaults());
        FrameView syn = through(syn(INSIDE_A, 40001, REMOTE, 80), true, false);
        byte[] data = Frames.tcp(INSIDE_A, 40001, REMOTE, 80).flags(Frames.ACK).payload(payload(100, 8)).build();
        // RFC 1858: 16 bytes of a 20-byte TCP header in the first fragment, the flags in the second
        List<byte[]> frags = Fragmenter.pieces(data, List.of(16, 104));
        assertThat(send(frags, true, false)).isEmpty();
        assertThat(drops("fragment-invalid")).as("the first refused, and the rest with it").isEqualTo(2);
        assertThat(syn.src()).isEqualTo(GLOBAL);
        assertThat(dp.held()).isZero();
    }

    @Test
    void aMissingFirstFragmentTimesOutAndNothingLeaksUntranslated() {
        start(defaults());
        byte[] out = Frames.udp(INSIDE_A, 5003, REMOTE, 53).payload(payload(4000, 9)).build();
        List<byte[]> frags = Fragmenter.split(out, 1480);
        assertThat(send(frags.subList(1, 3), true, false)).isEmpty();
        assertThat(dp.held()).isEqualTo(2);
        assertThat(states()).isEqualTo(1);
        dp.advance(Duration.ofSeconds(6));
        assertThat(states()).isZero();
        // held buffers go back with the worker's next burst
        send(List.of(Frames.udp(INSIDE_A, 5004, REMOTE, 53).build()), true, false);
        assertThat(dp.held()).isZero();
        assertThat(drops("fragment-timeout")).isEqualTo(2);
        assertThat(dp.toInside).isEmpty();
    }

    @Test
    void aMissingMiddleFragmentLeavesStateThatTimesOut() {
        start(defaults());
        byte[] out = Frames.udp(INSIDE_A, 5005, REMOTE, 53).payload(payload(4000, 10)).build();
        List<byte[]> frags = Fragmenter.split(out, 1480);
        List<byte[]> sent = send(List.of(frags.get(0), frags.get(2)), true, false);
        assertThat(sent).as("the translator does not reassemble; the receiver drops the incomplete datagram")
                .hasSize(2);
        assertThat(new FrameView(sent.get(1)).src()).isEqualTo(GLOBAL);
        // on the receiving worker, and on the session's owner when the first fragment was handed to it
        assertThat(states()).isBetween(1L, 2L);
        dp.advance(Duration.ofSeconds(6));
        assertThat(states()).isZero();
        assertThat(drops("fragment-timeout")).isZero();
    }

    @Test
    void tooManyFragmentsRefuseTheDatagram() {
        startWith(SMALL);
        byte[] out = Frames.udp(INSIDE_A, 5006, REMOTE, 53).payload(payload(100, 11)).build();
        // 108 bytes of IP payload in 8-byte pieces: 14 fragments, the bound is 8
        List<byte[]> frags = Fragmenter.split(out, 8);
        List<byte[]> sent = send(frags, true, false);
        assertThat(sent).hasSize(8);
        assertThat(drops("fragment-too-many")).isEqualTo(frags.size() - 8);
    }

    @Test
    void stateAndHeldFragmentsAreBoundedPerWorker() {
        startWith(SMALL);
        List<byte[]> early = new ArrayList<>();
        for (int id = 1; id <= 6; id++) {
            byte[] out = Frames.udp(INSIDE_A, 6000, REMOTE, 53).identification(id).payload(payload(3000, id))
                    .build();
            early.add(Fragmenter.split(out, 1480).get(2));
        }
        // one address pair, so one worker by RSS: four states of which three hold a fragment
        assertThat(send(early, true, false)).isEmpty();
        assertThat(dp.held()).isEqualTo(3);
        assertThat(drops("fragment-table-full")).isEqualTo(3);
        assertThat(states()).isEqualTo(4);
        assertThat(heldByApi()).isEqualTo(3);
        assertThat(nat.fragmentUsage()).allSatisfy(u -> assertThat(u.tableBytes()).isPositive());
        dp.advance(Duration.ofSeconds(3));
        assertThat(states()).isZero();
        // timed-out fragments stay the worker's until its next burst drops them
        assertThat(heldByApi()).isEqualTo(3);
        // a whole fragmented datagram of the same address pair: the same worker by RSS, and it passes
        send(Fragmenter.split(Frames.udp(INSIDE_A, 6000, REMOTE, 53).identification(7).payload(payload(3000, 7))
                .build(), 1480), true, false);
        assertThat(states()).isZero();
        assertThat(heldByApi()).isZero();
    }

    @Test
    void aFloodOfOrphanFragmentsCostsBoundedStateAndPassesWithTheTimeout() {
        startWith(SMALL);
        // an outside sender floods the pool address with later fragments of datagrams that have no first
        List<byte[]> flood = new ArrayList<>();
        for (int id = 100; id < 400; id++) {
            byte[] d = Frames.udp(REMOTE, 53, GLOBAL, 1025 + id).identification(id).payload(payload(1600, id)).build();
            flood.add(Fragmenter.split(d, 1480).get(1));
        }
        assertThat(send(flood, false, true)).isEmpty();
        // one address pair, so one worker by RSS: its 4 states, 3 of them holding a fragment; the rest refused
        assertThat(states()).isEqualTo(4);
        assertThat(dp.held()).isEqualTo(3);
        assertThat(drops("fragment-table-full")).isEqualTo(flood.size() - 3);
        // the flood holds the table for one timeout at most: then an inside host's datagram passes
        dp.advance(Duration.ofSeconds(3));
        byte[] out = Frames.udp(INSIDE_A, 5009, REMOTE, 53).payload(payload(2000, 14)).build();
        List<byte[]> sent = send(Fragmenter.split(out, 1480), true, false);
        assertThat(whole(sent).src()).isEqualTo(GLOBAL);
        assertThat(drops("fragment-timeout")).isEqualTo(3);
    }

    @Test
    void fragmentsAreDroppedWhenFragmentHandlingIsOff() {
        startWith(new FragmentLimits(0, 0, 2, 1));
        byte[] out = Frames.udp(INSIDE_A, 5007, REMOTE, 53).payload(payload(2000, 12)).build();
        assertThat(send(Fragmenter.split(out, 1480), true, false)).isEmpty();
        assertThat(drops("fragment")).isEqualTo(2);
    }

    @Test
    void aFragmentedIcmpErrorIsNotTranslated() {
        start(defaults());
        FrameView o = through(Frames.udp(INSIDE_A, 5008, REMOTE, 53).build(), true, false);
        byte[] quoted = Frames.udp(GLOBAL, o.srcPort(), REMOTE, 53).payload(new byte[600]).build();
        byte[] error = Frames.icmpError(REMOTE, GLOBAL, Frames.DEST_UNREACHABLE, 3, quoted).quote(600).build();
        assertThat(send(Fragmenter.split(error, 320), false, true)).isEmpty();
        assertThat(drops("fragment")).isEqualTo(2);
    }

    @Test
    void anUnknownDatagramFromOutsideIsDroppedWhole() {
        start(defaults());
        byte[] in = Frames.udp(REMOTE, 53, GLOBAL, 7777).payload(payload(3000, 13)).build();
        List<byte[]> frags = new ArrayList<>(Fragmenter.split(in, 1480));
        Collections.reverse(frags);
        assertThat(send(frags, false, true)).isEmpty();
        assertThat(dp.dropped).hasSize(3);
        assertThat(drops("no-session")).isEqualTo(3);
        assertThat(dp.held()).isZero();
    }
}
