package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.state.StateKeeperManager;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FakeDataplane;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Ports live exactly as long as their sessions: random sequences of flows (UDP, TCP opened with SYN and
 * SYN-ACK), traffic on them, FIN and RST closes, time passing and clears with a random filter, on a
 * translator with a 200-port paired pool and short timeouts, with endpoint-independent and
 * address-and-port-dependent mapping, on one worker and on four.
 *
 * <p>
 * The mappings' lifetimes come from the NAT event log (mapping-created, mapping-deleted), read after every
 * step; the outside endpoints from the frames that come out. Checked throughout: every frame that leaves
 * uses an outside endpoint whose mapping is alive for that inside endpoint; an outside endpoint (with
 * endpoint-independent mapping) or an outside endpoint towards one remote endpoint (with
 * address-and-port-dependent mapping, which may reuse a port across remotes) never serves two inside
 * endpoints at once; a reply reaches an inside endpoint whose mapping has that outside endpoint; an inside
 * host keeps one outside address. At the end, past every timeout and the hold-down: no session, no port in
 * use, as many sessions deleted as created, and every mapping created was deleted exactly once.
 *
 * <p>
 * One of the actions is a hand-over: the translator deposits its state and a new translator object (as a new
 * revision of the bundle makes) adopts it through the real {@link StateKeeperManager} and replaces the stage;
 * everything above must hold across it, with the counters going on from one translator to the next.
 */
class PortLifecyclePropertyTest {
    static final int[] HOSTS = {ip("198.18.0.2"), ip("198.18.0.3"), ip("198.18.0.4")};
    static final int[] REMOTES = {ip("198.19.0.100"), ip("198.19.0.101"), ip("198.19.0.102")};
    static final int[] REMOTE_PORTS = {53, 80};
    static final int GLOBAL = ip("198.19.0.1");
    static final int GLOBAL2 = ip("198.19.0.2");
    static final Timeouts SHORT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(
            20), Duration.ofSeconds(10), Duration.ofSeconds(6));
    static final Duration HOLD_DOWN = Duration.ofSeconds(5);
    static final Pattern EVENT = Pattern.compile(
            "mapping-(created|deleted) (\\w+) inside=([\\d.]+):(\\d+) outside=([\\d.]+):(\\d+)");

    sealed interface Action {
    }

    record Udp(int host, int port, int remote, int remotePort) implements Action {
    }

    record TcpOpen(int host, int port, int remote, int remotePort) implements Action {
    }

    /** kind 0: FIN both ways; 1: RST from inside; 2: RST from outside. */
    record TcpClose(int flow, int kind) implements Action {
    }

    record Traffic(int flow, boolean fromInside) implements Action {
    }

    record Advance(int seconds) implements Action {
    }

    /** The translator is updated: a new one adopts the sessions. */
    record HandOver() implements Action {
    }

    /** kind 0: all; 1: one inside host; 2: one remote; 3: one protocol. */
    record Clear(int kind, int which) implements Action {
    }

    /** A flow the test opened, and the outside endpoint it saw it leave with. */
    record Flow(int proto, int in, int inPort, int rem, int remPort, int out, int outPort) {
    }

    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED)
    void portsLiveExactlyAsLongAsTheirSessions(@ForAll("actions") @Size(min = 1, max = 60) List<Action> actions,
            @ForAll boolean fourWorkers, @ForAll boolean endpointIndependent) {
        try (Model m = new Model(fourWorkers ? 4 : 1, endpointIndependent)) {
            for (Action a : actions) {
                m.apply(a);
                m.events();
            }
            m.finish();
        }
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Integer> host = Arbitraries.integers().between(0, HOSTS.length - 1);
        Arbitrary<Integer> port = Arbitraries.integers().between(5000, 5003);
        Arbitrary<Integer> remote = Arbitraries.integers().between(0, REMOTES.length - 1);
        Arbitrary<Integer> remotePort = Arbitraries.of(53, 80);
        Arbitrary<Integer> flow = Arbitraries.integers().between(0, 1000);
        Arbitrary<Action> one = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(host, port, remote, remotePort).as(Udp::new)),
                Tuple.of(4, Combinators.combine(host, port, remote, remotePort).as(TcpOpen::new)),
                Tuple.of(2, Combinators.combine(flow, Arbitraries.integers().between(0, 2))
                        .as(TcpClose::new)),
                Tuple.of(4, Combinators.combine(flow, Arbitraries.of(true, false)).as(Traffic::new)),
                Tuple.of(2, Arbitraries.integers().between(1, 40).map(Advance::new)),
                Tuple.of(1, Arbitraries.just(new HandOver())),
                Tuple.of(1, Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries
                        .integers().between(0, 2)).as(Clear::new)));
        return one.list();
    }

    /** The translator under test and what the test knows of it. */
    static final class Model implements AutoCloseable {
        NatManager nat;
        final FakeDataplane dp;
        final boolean eim;
        final StateKeeperManager keeper = new StateKeeperManager();
        final List<NatManager> earlier = new ArrayList<>();
        final List<String> lines = new ArrayList<>();
        final List<Flow> flows = new ArrayList<>();
        /** Live mappings from the event log: "proto in:port out:port" -> how many. */
        final Map<String, Integer> live = new HashMap<>();
        /** With address-and-port-dependent mapping: "proto out:port rem:port" -> the inside endpoint. */
        final Map<String, String> byRemote = new HashMap<>();
        final Map<Integer, Integer> addressOfHost = new HashMap<>();
        long created;

        Model(int workers, boolean eim) {
            this.eim = eim;
            dp = new FakeDataplane(workers);
            nat = translator();
            dp.attach(nat);
        }

        private NatManager translator() {
            NatManager n = new NatManager(new NatSettings(SHORT, 1 << 14, 256, HOLD_DOWN, 4096,
                    OtherProtocolPolicy.DROP, true, 4096));
            n.setClock(dp.clock());
            n.setEventLines(lines::add);
            n.setStateKeeper(keeper);
            n.addPool(new PoolDefinition("small", List.of(new Ipv4Range(GLOBAL, GLOBAL2)), 3000, 3199,
                    eim ? MappingBehavior.ENDPOINT_INDEPENDENT : MappingBehavior.ADDRESS_AND_PORT_DEPENDENT,
                    eim ? FilteringBehavior.ENDPOINT_INDEPENDENT : FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT,
                    true, 0, false));
            return n;
        }

        private void handOver() {
            events();
            NatCounters c = nat.counters();
            long sessions = nat.sessionCount();
            long inUse = nat.poolUsage().getFirst().portsInUse();
            nat.close();
            events();
            earlier.add(nat);
            nat = translator();
            dp.replace(nat);
            assertThat(nat.lastHandOver()).startsWith("adopted " + sessions + " sessions");
            assertThat(nat.sessionCount()).isEqualTo(sessions);
            assertThat(nat.poolUsage().getFirst().portsInUse()).as("ports in use or held").isEqualTo(inUse);
            NatCounters after = nat.counters();
            assertThat(after.sessionsCreated()).as("created goes on; %s", after).isGreaterThanOrEqualTo(c
                    .sessionsCreated());
            assertThat(after.sessionsDeleted()).as("deleted goes on; %s", after).isGreaterThanOrEqualTo(c
                    .sessionsDeleted());
        }

        void apply(Action a) {
            switch (a) {
                case Udp u -> open(Frames.UDP, u.host(), u.port(), u.remote(), u.remotePort());
                case TcpOpen t -> open(Frames.TCP, t.host(), t.port(), t.remote(), t.remotePort());
                case TcpClose c -> {
                    Flow f = pick(c.flow(), Frames.TCP);
                    if (f != null) {
                        switch (c.kind()) {
                            case 0 -> {
                                out(f, Frames.FIN | Frames.ACK);
                                in(f, Frames.FIN | Frames.ACK);
                            }
                            case 1 -> out(f, Frames.RST);
                            default -> in(f, Frames.RST);
                        }
                    }
                }
                case Traffic t -> {
                    Flow f = pick(t.flow(), 0);
                    if (f != null) {
                        if (t.fromInside()) {
                            out(f, Frames.ACK);
                        } else {
                            in(f, Frames.ACK);
                        }
                    }
                }
                case Advance d -> dp.advance(Duration.ofSeconds(d.seconds()));
                case HandOver h -> handOver();
                case Clear c -> nat.clearSessions(switch (c.kind()) {
                    case 0 -> SessionFilter.ALL;
                    case 1 -> new SessionFilter(null, HOSTS[c.which()], null, null);
                    case 2 -> new SessionFilter(null, null, REMOTES[c.which()], null);
                    default -> new SessionFilter(c.which() == 0 ? Protocol.TCP : Protocol.UDP, null, null, null);
                });
            }
        }

        private Flow pick(int index, int proto) {
            List<Flow> some = proto == 0 ? flows : flows.stream().filter(f -> f.proto() == proto).toList();
            return some.isEmpty() ? null : some.get(index % some.size());
        }

        private void open(int proto, int h, int port, int r, int remotePort) {
            int in = HOSTS[h];
            int rem = REMOTES[r];
            byte[] frame = proto == Frames.UDP
                    ? Frames.udp(in, port, rem, remotePort).payload(new byte[]{1}).build()
                    : Frames.tcp(in, port, rem, remotePort).flags(Frames.SYN).build();
            FrameView out = send(frame, true, in, port, rem, remotePort, proto);
            if (out == null) {
                return;
            }
            Flow f = new Flow(proto, in, port, rem, remotePort, out.src(), out.srcPort());
            flows.add(f);
            if (proto == Frames.TCP) {
                in(f, Frames.SYN | Frames.ACK);
            }
        }

        /** Sends a packet of a flow from inside; what leaves is checked against the mappings alive. */
        private void out(Flow f, int flags) {
            byte[] frame = f.proto() == Frames.UDP
                    ? Frames.udp(f.in(), f.inPort(), f.rem(), f.remPort()).build()
                    : Frames.tcp(f.in(), f.inPort(), f.rem(), f.remPort()).flags(flags).build();
            send(frame, true, f.in(), f.inPort(), f.rem(), f.remPort(), f.proto());
        }

        /** Sends a packet of a flow from its remote to the outside endpoint the flow was seen with. */
        private void in(Flow f, int flags) {
            byte[] frame = f.proto() == Frames.UDP
                    ? Frames.udp(f.rem(), f.remPort(), f.out(), f.outPort()).build()
                    : Frames.tcp(f.rem(), f.remPort(), f.out(), f.outPort()).flags(flags).build();
            send(frame, false, 0, 0, f.rem(), f.remPort(), f.proto());
        }

        private FrameView send(byte[] frame, boolean inside, int in, int inPort, int rem, int remPort, int proto) {
            dp.clearOutputs();
            dp.receive(frame, inside);
            dp.run();
            events();
            List<FakeDataplane.Out> outs = inside ? dp.toOutside : dp.toInside;
            assertThat(dp.toInside.size() + dp.toOutside.size() + dp.dropped.size()).isEqualTo(1);
            if (outs.isEmpty()) {
                return null;
            }
            FrameView v = new FrameView(outs.getFirst().frame());
            v.assertChecksumsValid();
            String p = proto == Frames.TCP ? "tcp" : "udp";
            if (inside) {
                String inEnd = Ipv4.format(in) + ":" + inPort;
                String outEnd = Ipv4.format(v.src()) + ":" + v.srcPort();
                assertThat(live.getOrDefault(p + " " + inEnd + " " + outEnd, 0))
                        .as("%s left as %s without a live mapping; live %s", inEnd, outEnd, live).isPositive();
                assertThat(addressOfHost.computeIfAbsent(in, k -> v.src())).as("paired pooling for %s", inEnd)
                        .isEqualTo(v.src());
                if (!eim) {
                    String key = p + " " + outEnd + " " + Ipv4.format(rem) + ":" + remPort;
                    String before = byRemote.put(key, inEnd);
                    if (before != null && !before.equals(inEnd)) {
                        assertThat(live.getOrDefault(p + " " + before + " " + outEnd, 0))
                                .as("%s given to %s while %s still holds it", key, inEnd, before).isZero();
                    }
                }
            } else {
                String inEnd = Ipv4.format(v.dst()) + ":" + v.dstPort();
                FrameView sent = new FrameView(frame);
                String outEnd = Ipv4.format(sent.dst()) + ":" + sent.dstPort();
                assertThat(live.getOrDefault(p + " " + inEnd + " " + outEnd, 0))
                        .as("reply to %s delivered to %s without a live mapping; live %s", outEnd, inEnd, live)
                        .isPositive();
            }
            return v;
        }

        /** Reads the event log written so far into the live mappings, checking each delete has its create. */
        void events() {
            nat.flushEvents();
            for (String line : lines) {
                Matcher mt = EVENT.matcher(line);
                if (!mt.find()) {
                    continue;
                }
                String key = mt.group(2) + " " + mt.group(3) + ":" + mt.group(4) + " " + mt.group(5) + ":"
                        + mt.group(6);
                if (mt.group(1).equals("created")) {
                    created++;
                    if (eim) {
                        String outEnd = " " + mt.group(5) + ":" + mt.group(6);
                        assertThat(live.entrySet()).as("%s created while another inside endpoint has %s", key,
                                outEnd).noneMatch(
                                        e -> e.getValue() > 0 && e.getKey().startsWith(mt.group(2) + " ")
                                                && e.getKey().endsWith(outEnd));
                    }
                    live.merge(key, 1, Integer::sum);
                } else {
                    assertThat(live.getOrDefault(key, 0)).as("%s deleted but not alive", key).isPositive();
                    live.merge(key, -1, Integer::sum);
                }
            }
            lines.clear();
        }

        void finish() {
            dp.advance(SHORT.tcpEstablished().plusSeconds(1));
            dp.advance(HOLD_DOWN.plusSeconds(1));
            events();
            NatCounters c = nat.counters();
            assertThat(c.drops("stage-error")).isZero();
            assertThat(c.drops("event-log-full")).isZero();
            assertThat(nat.sessionCount()).as("sessions left; %s", c).isZero();
            assertThat(c.sessionsDeleted()).as("deleted, over every translator; %s", c).isEqualTo(c
                    .sessionsCreated());
            assertThat(nat.poolUsage().getFirst().portsInUse()).as("ports in use").isZero();
            for (int w = 0; w < nat.engine().workers(); w++) {
                assertThat(nat.engine().worker(w).hosts()).as("hosts with counts left on worker %s", w).isZero();
            }
            assertThat(live.values()).as("mappings never deleted").allMatch(n -> n == 0);
            assertThat(created).as("mappings created").isLessThanOrEqualTo(c.sessionsCreated());
        }

        @Override
        public void close() {
            dp.close();
            nat.close();
            for (NatManager n : earlier) {
                n.close();
            }
            keeper.close();
        }
    }
}
