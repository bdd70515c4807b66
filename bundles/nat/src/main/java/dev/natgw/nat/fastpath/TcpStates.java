package dev.natgw.nat.fastpath;

import static dev.natgw.nat.fastpath.NatWorker.FIN;
import static dev.natgw.nat.fastpath.NatWorker.ICMP;
import static dev.natgw.nat.fastpath.NatWorker.RST;
import static dev.natgw.nat.fastpath.NatWorker.SYN;
import static dev.natgw.nat.fastpath.NatWorker.TCP;
import static dev.natgw.nat.handover.TcpStateCodes.ESTABLISHED;
import static dev.natgw.nat.handover.TcpStateCodes.FIN_BOTH;
import static dev.natgw.nat.handover.TcpStateCodes.FIN_IN;
import static dev.natgw.nat.handover.TcpStateCodes.FIN_OUT;
import static dev.natgw.nat.handover.TcpStateCodes.INIT_IN;
import static dev.natgw.nat.handover.TcpStateCodes.INIT_OUT;
import static dev.natgw.nat.handover.TcpStateCodes.TRANSITORY;

/**
 * The TCP state machine of a session (RFC 7857 section 2, after RFC 6146 section 3.5.2) and the timeout each state
 * gives it. The states are {@link dev.natgw.nat.handover.TcpStateCodes} codes, stored in the session record.
 * Stateless functions, called on the worker that owns the session; allocation-free.
 */
final class TcpStates {
    private TcpStates() {
    }

    /**
     * Moves a session's state on a SYN, FIN or RST from the inside, rescheduling it when the state changes.
     *
     * @param table the worker's table
     * @param f the packet's TCP flags
     * @param s the session
     * @param snap the configuration, for the timeouts
     * @param now the time
     */
    static void fromInside(SessionTable table, int f, int s, NatSnapshot snap, long now) {
        int st = table.state(s);
        int ns = st;
        if ((f & RST) != 0) {
            ns = TRANSITORY;
        } else if ((f & FIN) != 0) {
            ns = st == ESTABLISHED ? FIN_IN : st == FIN_OUT ? FIN_BOTH : st;
        } else if ((f & SYN) != 0) {
            ns = st == INIT_OUT ? ESTABLISHED : st == TRANSITORY ? INIT_IN : st;
        }
        if (ns != st) {
            table.setState(s, ns);
            table.schedule(s, now + timeout(snap, TCP, ns));
        }
    }

    /**
     * Moves a session's state on a SYN, FIN or RST from the outside; see {@link #fromInside}.
     *
     * @param table the worker's table
     * @param f the packet's TCP flags
     * @param s the session
     * @param snap the configuration, for the timeouts
     * @param now the time
     */
    static void fromOutside(SessionTable table, int f, int s, NatSnapshot snap, long now) {
        int st = table.state(s);
        int ns = st;
        if ((f & RST) != 0) {
            ns = TRANSITORY;
        } else if ((f & FIN) != 0) {
            ns = st == ESTABLISHED ? FIN_OUT : st == FIN_IN ? FIN_BOTH : st;
        } else if ((f & SYN) != 0) {
            ns = st == INIT_IN ? ESTABLISHED : st;
        }
        if (ns != st) {
            table.setState(s, ns);
            table.schedule(s, now + timeout(snap, TCP, ns));
        }
    }

    /** {@return the idle time after which a session of this protocol and state expires, in nanoseconds} */
    static long timeout(NatSnapshot snap, int proto, int state) {
        return switch (proto) {
            case TCP -> switch (state) {
                case INIT_OUT -> snap.synHoldNanos();
                case INIT_IN, FIN_BOTH, TRANSITORY -> snap.tcpTransitoryNanos();
                default -> snap.tcpEstablishedNanos();
            };
            case ICMP -> snap.icmpNanos();
            default -> snap.udpNanos();
        };
    }
}
