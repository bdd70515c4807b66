package dev.natgw.nat.fastpath;

import dev.natgw.nat.handover.SessionLayout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * The table against a plain Java model, over random sequences of adds, removes and lookups. Small
 * key domains, a tiny capacity and two hash heads make shared keys, long chains and a full table
 * common.
 */
class SessionTableModelTest {
    private static final int CAPACITY = 10;
    private static final int[] PROTOS = {6, 17};

    record Mapping(int proto, int inAddr, int inPort, int outAddr, int outPort, int pool, int flags, long seq) {
    }

    record Session(int m, int remAddr, int remPort, long now) {
    }

    static final class State {
        final SessionTable t = new SessionTable(CAPACITY, 4, 2);
        final Map<Integer, Mapping> maps = new HashMap<>();
        final Map<Integer, Session> sessions = new HashMap<>();
        /** The state of each live session; 0 from its creation. */
        final Map<Integer, Integer> states = new HashMap<>();
        long seq;

        @Override
        public String toString() {
            return "maps=" + maps + " sessions=" + sessions;
        }
    }

    @Property(tries = 300)
    void behavesLikeTheModel(@ForAll("chains") ActionChain<State> chain) {
        chain.withInvariant("matches model", SessionTableModelTest::check);
        State end = chain.run();
        end.t.close();
    }

    @net.jqwik.api.Provide
    Arbitrary<ActionChain<State>> chains() {
        return ActionChain.startWith(State::new)
                .withAction(3, new AddMapping())
                .withAction(4, new AddSession())
                .withAction(2, new RemoveSession())
                .withAction(2, new RemoveMapping())
                .withAction(3, new SetState())
                .withMaxTransformations(60);
    }

    static final class AddMapping implements Action.Independent<State> {
        @Override
        public Arbitrary<Transformer<State>> transformer() {
            return Combinators.combine(Arbitraries.of(6, 17), Arbitraries.integers().between(1, 2),
                    Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 3),
                    Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 255))
                    .as((proto, inAddr, inPort, outPort, pool, flags) -> Transformer.mutate(
                            "addMapping " + proto + " " + inAddr + ":" + inPort + " -> 9:" + outPort, st -> {
                                int m = st.t.addMapping(proto, inAddr, inPort, 9, outPort, pool, flags);
                                if (st.maps.size() == CAPACITY) {
                                    assertThat(m).isEqualTo(-1);
                                } else {
                                    assertThat(m).isBetween(0, CAPACITY - 1);
                                    assertThat(st.maps).doesNotContainKey(m);
                                    st.maps.put(m, new Mapping(proto, inAddr, inPort, 9, outPort, pool, flags,
                                            st.seq++));
                                }
                            }));
        }
    }

    static final class AddSession implements Action.Dependent<State> {
        @Override
        public boolean precondition(State st) {
            return !st.maps.isEmpty();
        }

        @Override
        public Arbitrary<Transformer<State>> transformer(State st) {
            return Combinators.combine(Arbitraries.of(new ArrayList<>(st.maps.keySet())),
                    Arbitraries.integers().between(5, 6), Arbitraries.integers().between(1, 2),
                    Arbitraries.longs()).as(
                            (m, remAddr, remPort, now) -> Transformer.mutate(
                                    "addSession m" + m + " -> " + remAddr + ":" + remPort, s -> {
                                        Mapping mm = s.maps.get(m);
                                        // as the translator does: only a 5-tuple that is new on both sides
                                        boolean clash = s.sessions.values().stream().anyMatch(o -> {
                                            Mapping om = s.maps.get(o.m());
                                            return o.remAddr() == remAddr && o.remPort() == remPort
                                                    && om.proto() == mm.proto() && (om.inAddr() == mm.inAddr()
                                                            && om.inPort() == mm.inPort()
                                                            || om.outAddr() == mm.outAddr()
                                                                    && om.outPort() == mm.outPort());
                                        });
                                        if (clash) {
                                            return;
                                        }
                                        int sid = s.t.addSession(m, remAddr, remPort, now);
                                        if (s.sessions.size() == CAPACITY) {
                                            assertThat(sid).isEqualTo(-1);
                                        } else {
                                            assertThat(sid).isBetween(0, CAPACITY - 1);
                                            assertThat(s.sessions).doesNotContainKey(sid);
                                            s.sessions.put(sid, new Session(m, remAddr, remPort, now));
                                            s.states.put(sid, 0);
                                        }
                                    }));
        }
    }

    static final class RemoveSession implements Action.Dependent<State> {
        @Override
        public boolean precondition(State st) {
            return !st.sessions.isEmpty();
        }

        @Override
        public Arbitrary<Transformer<State>> transformer(State st) {
            return Arbitraries.of(new ArrayList<>(st.sessions.keySet()))
                    .map(sid -> Transformer.mutate("removeSession " + sid, s -> {
                        s.t.removeSession(sid);
                        s.sessions.remove(sid);
                        s.states.remove(sid);
                    }));
        }
    }

    static final class SetState implements Action.Dependent<State> {
        @Override
        public boolean precondition(State st) {
            return !st.sessions.isEmpty();
        }

        @Override
        public Arbitrary<Transformer<State>> transformer(State st) {
            return Combinators.combine(Arbitraries.of(new ArrayList<>(st.sessions.keySet())),
                    Arbitraries.integers().between(0, 7))
                    .as((sid, state) -> Transformer.<State>mutate("setState " + sid + " " + state, s -> {
                        s.t.setState(sid, state);
                        s.states.put(sid, state);
                    }));
        }
    }

    static final class RemoveMapping implements Action.Dependent<State> {
        @Override
        public boolean precondition(State st) {
            return !st.maps.isEmpty();
        }

        @Override
        public Arbitrary<Transformer<State>> transformer(State st) {
            return Arbitraries.of(new ArrayList<>(st.maps.keySet()))
                    .map(m -> Transformer.mutate("removeMapping " + m, s -> {
                        boolean used = s.sessions.values().stream().anyMatch(o -> o.m() == m);
                        if (used) {
                            assertThatThrownBy(() -> s.t.removeMapping(m)).isInstanceOf(IllegalStateException.class);
                        } else {
                            s.t.removeMapping(m);
                            s.maps.remove(m);
                        }
                    }));
        }
    }

    private static void check(State st) {
        SessionTable t = st.t;
        assertThat(t.size()).isEqualTo(st.sessions.size());
        assertThat(t.mappings()).isEqualTo(st.maps.size());
        // the per-state counts follow every add, state change and removal
        for (int state = 0; state < SessionLayout.STATES; state++) {
            int want = state;
            assertThat(t.sessionsInState(state)).as("sessions in state %d", state)
                    .isEqualTo((int) st.states.values().stream().filter(v -> v == want).count());
        }
        // every mapping key: the finders give the most recent, the walks give all, newest first
        for (int proto : PROTOS) {
            for (int addr = 1; addr <= 2; addr++) {
                for (int port = 1; port <= 2; port++) {
                    int a = addr, p = port;
                    assertThat(walk(t, t.findMappingIn(proto, a, p), true))
                            .isEqualTo(expected(st, m -> m.proto() == proto && m.inAddr() == a && m.inPort() == p));
                }
            }
            for (int port = 1; port <= 3; port++) {
                int p = port;
                assertThat(walk(t, t.findMappingOut(proto, 9, p), false))
                        .isEqualTo(expected(st, m -> m.proto() == proto && m.outAddr() == 9 && m.outPort() == p));
            }
        }
        for (var e : st.maps.entrySet()) {
            int m = e.getKey();
            Mapping mm = e.getValue();
            assertThat(new int[]{t.mProto(m), t.mInAddr(m), t.mInPort(m), t.mOutAddr(m), t.mOutPort(m), t.mPool(m),
                    t.mFlags(m)}).containsExactly(mm.proto(), mm.inAddr(), mm.inPort(), mm.outAddr(), mm.outPort(),
                            mm.pool(), mm.flags());
            Set<Integer> own = new HashSet<>();
            for (int s = t.firstSession(m); s != -1; s = t.nextSessionOfMapping(s)) {
                assertThat(own.add(s)).isTrue();
            }
            Set<Integer> expectedOwn = new HashSet<>();
            st.sessions.forEach((s, v) -> {
                if (v.m() == m) {
                    expectedOwn.add(s);
                }
            });
            assertThat(own).isEqualTo(expectedOwn);
            assertThat(t.mappingSessions(m)).isEqualTo(expectedOwn.size());
        }
        // every session 5-tuple over the domain, both sides exact
        for (int proto : PROTOS) {
            for (int addr = 1; addr <= 2; addr++) {
                for (int port = 1; port <= 3; port++) {
                    for (int rem = 5; rem <= 6; rem++) {
                        for (int rp = 1; rp <= 2; rp++) {
                            assertThat(t.findIn(proto, addr, port, rem, rp))
                                    .isEqualTo(expectSession(st, proto, addr, port, rem, rp, true));
                            assertThat(t.findOut(proto, 9, port, rem, rp))
                                    .isEqualTo(expectSession(st, proto, 9, port, rem, rp, false));
                        }
                    }
                }
            }
        }
        Set<Integer> live = new TreeSet<>();
        for (int s = t.nextLive(0); s != -1; s = t.nextLive(s + 1)) {
            live.add(s);
            Session v = st.sessions.get(s);
            assertThat(v).isNotNull();
            assertThat(t.mapping(s)).isEqualTo(v.m());
            assertThat(t.remAddr(s)).isEqualTo(v.remAddr());
            assertThat(t.remPort(s)).isEqualTo(v.remPort());
            assertThat(t.created(s)).isEqualTo(v.now());
            assertThat(t.state(s)).isEqualTo(st.states.get(s));
        }
        assertThat(live).isEqualTo(new TreeSet<>(st.sessions.keySet()));
    }

    private static List<Integer> walk(SessionTable t, int first, boolean in) {
        List<Integer> out = new ArrayList<>();
        for (int m = first; m != -1; m = in ? t.nextMappingIn(m) : t.nextMappingOut(m)) {
            out.add(m);
        }
        return out;
    }

    private static List<Integer> expected(State st, java.util.function.Predicate<Mapping> key) {
        return st.maps.entrySet().stream().filter(e -> key.test(e.getValue()))
                .sorted(Comparator.comparingLong((Map.Entry<Integer, Mapping> e) -> e.getValue().seq()).reversed())
                .map(Map.Entry::getKey).toList();
    }

    private static int expectSession(State st, int proto, int addr, int port, int rem, int rp, boolean in) {
        for (var e : st.sessions.entrySet()) {
            Session v = e.getValue();
            Mapping m = st.maps.get(v.m());
            int a = in ? m.inAddr() : m.outAddr(), p = in ? m.inPort() : m.outPort();
            if (m.proto() == proto && a == addr && p == port && v.remAddr() == rem && v.remPort() == rp) {
                return e.getKey();
            }
        }
        return -1;
    }
}
