package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FakeDataplane;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Fuzzes the parse-and-translate path: the fuzzer's bytes choose a translator configuration and become a
 * sequence of frames (raw, or built from a valid template with fuzzed fields and byte mutations, checksums
 * optionally repaired so that mutated headers get past the parser) that go through a {@link NatManager} on
 * a {@link FakeDataplane} with one or two workers, after a few seeded sessions so that out2in and ICMP
 * error paths have state to hit. Every execution builds its own translator, so a finding replays alone.
 *
 * <p>
 * What is checked, after every run of the dataplane:
 * <ul>
 * <li>no stage error: the worker turns an exception into the {@code stage-error} drop, which is a bug;
 * <li>every frame received comes out exactly once: {@code in == toInside + toOutside + dropped +
 * unclaimed};
 * <li>the counters account for each frame. A frame run alone is exactly one of: sent outside (in2out +1),
 * sent inside from the outside (out2in +1), refused for exhaustion or quota and answered with ICMP
 * (refusal +1 and its drop reason +1, sent inside), hairpinned (in2out +1, then out2in +1 and sent inside,
 * or one drop and dropped), dropped (one drop reason +1, a refusal without ICMP also counted as refusal),
 * or left to other stages (no counter moves). For a batch run at once, with refusals answered by ICMP
 * written R (0 when the pool answers none) and H the hairpinned frames: {@code dropped == drops - R} and
 * {@code in2out + out2in == toOutside + toInside - R + H} with {@code 0 <= H <=} the inside frames
 * addressed to a pool address;
 * <li>every frame transmitted has valid checksums when the frames that went in had valid checksums
 * ({@link FrameView#checksumProblems()}, an independent computation);
 * <li>at the end, once every timeout and the hold-down have passed: no session, no port in use, as many
 * sessions deleted as created.
 * </ul>
 *
 * <p>
 * The normal suite fuzzes for a bounded time: surefire sets {@code JAZZER_FUZZ=1} and
 * {@code JAZZER_MAX_DURATION=${fuzz.duration}} (20 s by default) for this module's tests. A long run:
 * {@code ./mvnw -pl bundles/nat -am test -Dtest=NatFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfuzz.duration=10m}. The corpus Jazzer grows goes to {@code target/.cifuzz-corpus}; findings are written
 * as {@code crash-*} files, which replay as regression inputs once moved under
 * {@code src/test/resources/dev/natgw/nat/NatFuzzTestInputs/parseAndTranslate/}.
 */
class NatFuzzTest {
    static final int INSIDE_A = ip("198.18.0.2");
    static final int INSIDE_B = ip("198.18.0.3");
    static final int SERVER = ip("198.18.0.10");
    static final int GLOBAL = ip("198.19.0.1");
    static final int GLOBAL2 = ip("198.19.0.2");
    static final int REMOTE = ip("198.19.0.100");
    static final int REMOTE2 = ip("198.19.0.101");
    static final int PORT_MIN = 2000;
    static final int PORT_MAX = 2063;
    static final int MAX_FRAMES = 48;
    static final int MAX_FRAME = 1518;

    static final Timeouts SHORT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(600), Duration.ofSeconds(
            20), Duration.ofSeconds(10), Duration.ofSeconds(6));

    static final int[] ADDRESSES = {INSIDE_A, INSIDE_B, SERVER, GLOBAL, GLOBAL2, REMOTE, REMOTE2};

    @FuzzTest(maxDuration = "20s")
    void parseAndTranslate(FuzzedDataProvider data) {
        try (Run run = new Run(data)) {
            run.seed();
            int frames = 0;
            while (data.remainingBytes() > 0 && frames < MAX_FRAMES) {
                switch (data.consumeInt(0, 9)) {
                    case 0 -> run.dp.advance(Duration.ofSeconds(data.consumeInt(0, 700)));
                    case 1 -> {
                        int k = data.consumeInt(2, 8);
                        List<byte[]> batch = new ArrayList<>();
                        List<Boolean> sides = new ArrayList<>();
                        for (int j = 0; j < k && data.remainingBytes() > 0; j++) {
                            sides.add(data.consumeBoolean());
                            batch.add(run.frame(data));
                        }
                        run.batch(batch, sides);
                        frames += batch.size();
                    }
                    default -> {
                        boolean inside = data.consumeBoolean();
                        run.one(run.frame(data), inside);
                        frames++;
                    }
                }
            }
            run.drain();
        }
    }

    /** One execution: a translator on a fake dataplane, the frames seen so far, and the checks. */
    static final class Run implements AutoCloseable {
        final NatManager nat;
        final FakeDataplane dp;
        final boolean icmpOnExhaustion;
        /** Frames the translator transmitted, which make good quotes for ICMP errors and ports to aim at. */
        final List<byte[]> seen = new ArrayList<>();
        final List<Integer> outsidePorts = new ArrayList<>();

        @SuppressWarnings("EnumOrdinal") // the fuzzer picks a behaviour by position; nothing stores it
        Run(FuzzedDataProvider data) {
            int workers = data.consumeBoolean() ? 2 : 1;
            MappingBehavior mapping = data.consumeBoolean()
                    ? MappingBehavior.ENDPOINT_INDEPENDENT
                    : MappingBehavior.ADDRESS_AND_PORT_DEPENDENT;
            FilteringBehavior filtering = FilteringBehavior.values()[data.consumeInt(0,
                    FilteringBehavior.values().length - 1)];
            icmpOnExhaustion = data.consumeBoolean();
            int quota = data.consumeBoolean() ? 0 : 3;
            OtherProtocolPolicy other = data.consumeBoolean()
                    ? OtherProtocolPolicy.DROP
                    : OtherProtocolPolicy.ADDRESS_ONLY;
            nat = new NatManager(new NatSettings(SHORT, 4096, 256, Duration.ofSeconds(5), 4096, other, true, 1024));
            dp = new FakeDataplane(workers);
            nat.setClock(dp.clock());
            nat.addPool(new PoolDefinition("fuzz", List.of(new Ipv4Range(GLOBAL, GLOBAL2)), PORT_MIN, PORT_MAX,
                    mapping, filtering, data.consumeBoolean(), quota, icmpOnExhaustion));
            nat.addStaticMapping(new StaticMapping(Protocol.UDP, new Endpoint(GLOBAL, 8053), new Endpoint(SERVER,
                    53)));
            nat.addStaticMapping(new StaticMapping(Protocol.TCP, new Endpoint(GLOBAL, 8080), new Endpoint(SERVER,
                    80)));
            dp.attach(nat);
        }

        /** Opens a few sessions, so that replies, ICMP errors and filtering have something to hit. */
        void seed() {
            one(Frames.udp(INSIDE_A, 5000, REMOTE, 53).payload(new byte[]{1, 2, 3, 4}).build(), true);
            one(Frames.tcp(INSIDE_B, 40000, REMOTE, 80).flags(Frames.SYN).build(), true);
            if (!outsidePorts.isEmpty()) {
                int port = outsidePorts.getLast();
                one(Frames.tcp(REMOTE, 80, GLOBAL, port).flags(Frames.SYN | Frames.ACK).build(), false);
            }
            one(Frames.echoRequest(INSIDE_A, REMOTE2, 777, 1).build(), true);
            one(Frames.tcp(REMOTE2, 50000, GLOBAL, 8080).flags(Frames.SYN).build(), false);
        }

        /** The next frame from the fuzzer: raw bytes, or a template with fuzzed fields and mutations. */
        byte[] frame(FuzzedDataProvider data) {
            int kind = data.consumeInt(0, 6);
            byte[] f = switch (kind) {
                case 0 -> data.consumeBytes(data.consumeInt(0, MAX_FRAME));
                case 1 -> Frames.udp(address(data), port(data), address(data), port(data))
                        .payload(data.consumeBytes(data.consumeInt(0, 64))).build();
                case 2 -> Frames.tcp(address(data), port(data), address(data), port(data))
                        .flags(data.consumeInt(0, 0x3f)).payload(data.consumeBytes(data.consumeInt(0, 32))).build();
                case 3 -> (data.consumeBoolean()
                        ? Frames.echoRequest(address(data), address(data), port(data),
                                data.consumeInt(0, 0xffff))
                        : Frames.echoReply(address(data), address(data), port(data),
                                data.consumeInt(0, 0xffff)))
                        .build();
                case 4 -> {
                    byte[] quoted = seen.isEmpty() || data.consumeBoolean()
                            ? Frames.udp(address(data), port(data), address(data), port(data)).build()
                            : seen.get(data.consumeInt(0, seen.size() - 1));
                    yield Frames.icmpError(address(data), address(data), data.pickValue(new int[]{3, 11, 12}),
                            data.consumeInt(0, 15), quoted).quote(data.consumeInt(0, 40)).build();
                }
                case 5 -> Frames.other(address(data), address(data), data.consumeInt(0, 255))
                        .payload(data.consumeBytes(data.consumeInt(0, 24))).build();
                default -> seen.isEmpty() ? new byte[0] : seen.get(data.consumeInt(0, seen.size() - 1)).clone();
            };
            if (f.length > MAX_FRAME) {
                f = Arrays.copyOf(f, MAX_FRAME);
            }
            if (kind != 0 && f.length > 0) {
                int mutations = data.consumeInt(0, 4);
                for (int k = 0; k < mutations; k++) {
                    f[data.consumeInt(0, f.length - 1)] = data.consumeByte();
                }
                if (mutations > 0 && data.consumeBoolean()) {
                    Checksums.repair(f);
                }
            }
            return f;
        }

        int address(FuzzedDataProvider data) {
            int k = data.consumeInt(0, ADDRESSES.length);
            return k < ADDRESSES.length ? ADDRESSES[k] : data.consumeInt();
        }

        int port(FuzzedDataProvider data) {
            int k = data.consumeInt(0, 5);
            return switch (k) {
                case 0 -> outsidePorts.isEmpty()
                        ? PORT_MIN
                        : outsidePorts.get(data.consumeInt(0,
                                outsidePorts.size() - 1));
                case 1 -> data.pickValue(new int[]{53, 80, 5000, 40000, 8053, 8080, 777});
                case 2 -> data.consumeInt(PORT_MIN, PORT_MAX);
                default -> data.consumeInt(0, 0xffff);
            };
        }

        /** Runs one frame alone and checks exactly what happened to it. */
        void one(byte[] frame, boolean inside) {
            Snapshot before = Snapshot.of(nat.counters());
            dp.clearOutputs();
            dp.receive(frame, inside);
            dp.run();
            Snapshot d = Snapshot.of(nat.counters()).minus(before);
            String what = describe(frame, inside) + "; counters moved " + d;
            assertThat(d.stageErrors).as("stage errors for %s", what).isZero();
            int outs = dp.toInside.size() + dp.toOutside.size() + dp.dropped.size() + dp.unclaimed.size();
            assertThat(outs).as("frames out for %s", what).isEqualTo(1);
            if (!dp.toOutside.isEmpty()) {
                assertThat(inside).as("only an inside frame leaves by the outside: %s", what).isTrue();
                assertThat(d).as(what).isEqualTo(new Snapshot(1, 0, 0, 0, 0));
            } else if (!dp.toInside.isEmpty()) {
                if (!inside) {
                    assertThat(d).as(what).isEqualTo(new Snapshot(0, 1, 0, 0, 0));
                } else if (d.refusals == 1) {
                    assertThat(icmpOnExhaustion).as("ICMP answer to a refusal: %s", what).isTrue();
                    assertThat(d).as(what).isEqualTo(new Snapshot(0, 0, 1, 1, 0));
                    FrameView icmp = new FrameView(dp.toInside.getFirst().frame());
                    assertThat(icmp.icmpType()).as(what).isEqualTo(3);
                    assertThat(icmp.icmpCode()).as(what).isEqualTo(13);
                } else {
                    assertThat(d).as("hairpin: %s", what).isEqualTo(new Snapshot(1, 1, 0, 0, 0));
                    assertThat(pool(dstOf(frame))).as("hairpin to a pool address: %s", what).isTrue();
                }
            } else if (!dp.dropped.isEmpty()) {
                assertThat(d.drops).as("one drop reason for %s", what).isEqualTo(1);
                assertThat(d.out2in).as(what).isZero();
                assertThat(d.refusals).as(what).isBetween(0L, icmpOnExhaustion ? 0L : 1L);
                if (d.in2out == 1) {
                    assertThat(inside && pool(dstOf(frame))).as("dropped after in2out, a hairpin: %s", what)
                            .isTrue();
                } else {
                    assertThat(d.in2out).as(what).isZero();
                }
            } else {
                assertThat(d).as("left to other stages: %s", what).isEqualTo(new Snapshot(0, 0, 0, 0, 0));
            }
            boolean valid = Checksums.valid(frame);
            for (var out : List.of(dp.toInside, dp.toOutside)) {
                for (FakeDataplane.Out o : out) {
                    if (valid || out == dp.toInside && d.refusals == 1) {
                        assertThat(new FrameView(o.frame()).checksumProblems()).as("checksums after %s", what)
                                .isEmpty();
                    }
                    remember(o.frame(), out == dp.toOutside);
                }
            }
        }

        /** Runs frames as one batch (several per burst, handoffs interleaved) and checks the totals. */
        void batch(List<byte[]> frames, List<Boolean> sides) {
            Snapshot before = Snapshot.of(nat.counters());
            dp.clearOutputs();
            int hairpinnable = 0;
            boolean valid = true;
            for (int k = 0; k < frames.size(); k++) {
                dp.receive(frames.get(k), sides.get(k));
                if (sides.get(k) && pool(dstOf(frames.get(k)))) {
                    hairpinnable++;
                }
                valid &= Checksums.valid(frames.get(k));
            }
            dp.run();
            Snapshot d = Snapshot.of(nat.counters()).minus(before);
            StringBuilder what = new StringBuilder("batch of " + frames.size() + ":");
            for (int k = 0; k < frames.size(); k++) {
                what.append("\n  ").append(describe(frames.get(k), sides.get(k)));
            }
            what.append("\ncounters moved ").append(d);
            assertThat(d.stageErrors).as("stage errors for %s", what).isZero();
            assertThat(dp.toInside.size() + dp.toOutside.size() + dp.dropped.size() + dp.unclaimed.size())
                    .as("frames out for %s", what).isEqualTo(frames.size());
            long answered = icmpOnExhaustion ? d.refusals : 0;
            assertThat(dp.dropped.size()).as("dropped for %s", what).isEqualTo(d.drops - answered);
            long hairpins = d.in2out + d.out2in - (dp.toOutside.size() + dp.toInside.size() - answered);
            assertThat(hairpins).as("hairpins in %s", what).isBetween(0L, (long) hairpinnable);
            for (var out : List.of(dp.toInside, dp.toOutside)) {
                for (FakeDataplane.Out o : out) {
                    if (valid) {
                        assertThat(new FrameView(o.frame()).checksumProblems()).as("checksums after %s", what)
                                .isEmpty();
                    }
                    remember(o.frame(), out == dp.toOutside);
                }
            }
        }

        private void remember(byte[] frame, boolean outside) {
            if (seen.size() < 64) {
                seen.add(frame);
            }
            if (outside && frame.length >= 14 + 20 + 4 && outsidePorts.size() < 64) {
                int l4 = 14 + (frame[14] & 0x0f) * 4;
                if (frame.length >= l4 + 2) {
                    outsidePorts.add((frame[l4] & 0xff) << 8 | frame[l4 + 1] & 0xff);
                }
            }
        }

        /** Lets every session time out and every port come back, then checks nothing leaked. */
        void drain() {
            dp.advance(Duration.ofSeconds(700));
            dp.advance(Duration.ofSeconds(700));
            NatCounters c = nat.counters();
            assertThat(c.drops("stage-error")).isZero();
            assertThat(nat.sessionCount()).as("sessions left, counters %s", c).isZero();
            assertThat(c.sessionsDeleted()).as("sessions deleted, counters %s", c).isEqualTo(c.sessionsCreated());
            assertThat(nat.poolUsage().getFirst().portsInUse()).as("ports in use, counters %s", c).isZero();
        }

        @Override
        public void close() {
            dp.close();
            nat.close();
        }

        static boolean pool(int addr) {
            return addr == GLOBAL || addr == GLOBAL2;
        }
    }

    /** The counters one frame may move. */
    record Snapshot(long in2out, long out2in, long drops, long refusals, long stageErrors) {
        static Snapshot of(NatCounters c) {
            long drops = 0;
            for (long v : c.drops().values()) {
                drops += v;
            }
            return new Snapshot(c.packetsIn2Out(), c.packetsOut2In(), drops, c.refusedExhausted() + c.refusedQuota(),
                    c.drops("stage-error"));
        }

        Snapshot minus(Snapshot o) {
            return new Snapshot(in2out - o.in2out, out2in - o.out2in, drops - o.drops, refusals - o.refusals,
                    stageErrors - o.stageErrors);
        }
    }

    /** The IPv4 destination of a frame without a VLAN tag, 0 if it has none. */
    static int dstOf(byte[] f) {
        int l3 = f.length >= 18 && (f[12] & 0xff) == 0x81 && f[13] == 0 ? 18 : 14;
        if (f.length < l3 + 20) {
            return 0;
        }
        return (f[l3 + 16] & 0xff) << 24 | (f[l3 + 17] & 0xff) << 16 | (f[l3 + 18] & 0xff) << 8 | f[l3 + 19] & 0xff;
    }

    static String describe(byte[] frame, boolean inside) {
        return (inside ? "inside " : "outside ") + HexFormat.of().formatHex(frame);
    }
}
