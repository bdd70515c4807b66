package dev.natgw.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionGateTest {

    private static SessionGate.Ticket admitted(SessionGate gate, String source) {
        SessionGate.Admission a = gate.admit(source);
        assertThat(a.verdict()).isEqualTo(SessionGate.Verdict.ADMITTED);
        return a.ticket();
    }

    @Test
    void oneAddressGetsItsShareAndThenIsToldSoWhileOthersStillGetIn() {
        SessionGate gate = new SessionGate(10, 3);
        for (int i = 0; i < 3; i++) {
            admitted(gate, "10.0.0.1");
        }
        assertThat(gate.admit("10.0.0.1").verdict()).isEqualTo(SessionGate.Verdict.SOURCE_FULL);
        admitted(gate, "10.0.0.2");
        assertThat(gate.from("10.0.0.1")).isEqualTo(3);
        assertThat(gate.sessions()).isEqualTo(4);
    }

    @Test
    void visitorsWhoDoNotLogInTakeAtMostHalfAndLoggedInSessionsStay() {
        SessionGate gate = new SessionGate(8, 8);
        List<SessionGate.Ticket> anonymous = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            anonymous.add(admitted(gate, "10.0.0." + i));
        }
        // half are not logged in: the console is full for another visitor, though it has room
        assertThat(gate.admit("10.0.1.1").verdict()).isEqualTo(SessionGate.Verdict.FULL);
        // one of them logs in: it leaves the share of visitors and keeps its place
        assertThat(gate.logIn(anonymous.getFirst(), "op")).isTrue();
        assertThat(gate.anonymous()).isEqualTo(3);
        SessionGate.Ticket another = admitted(gate, "10.0.1.1");
        assertThat(gate.logIn(another, "op2")).isTrue();
        for (int i = 0; i < 2; i++) {
            assertThat(gate.logIn(admitted(gate, "10.0.2." + i), "op")).isTrue();
        }
        // 4 logged in, 3 visitors: one more visitor fits the total, then nothing does
        admitted(gate, "10.0.3.1");
        assertThat(gate.sessions()).isEqualTo(8);
        assertThat(gate.admit("10.0.3.2").verdict()).isEqualTo(SessionGate.Verdict.FULL);
    }

    @Test
    void placesAreFreedOnceAndAnEndedSessionCannotLogIn() {
        SessionGate gate = new SessionGate(4, 2);
        SessionGate.Ticket a = admitted(gate, "10.0.0.1");
        SessionGate.Ticket b = admitted(gate, "10.0.0.1");
        gate.logIn(b, "op");
        gate.release(a);
        gate.release(a);
        gate.release(b);
        assertThat(gate.sessions()).isZero();
        assertThat(gate.anonymous()).isZero();
        assertThat(gate.sources()).isZero();
        assertThat(gate.logIn(a, "op")).isFalse();
        assertThat(gate.sessions()).isZero();
    }

    @Test
    void badBoundsAreRefused() {
        assertThatThrownBy(() -> new SessionGate(1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SessionGate(4, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SessionGate(4, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
