package dev.natgw.nat.handover;

import dev.natgw.api.nat.TcpState;

/**
 * The TCP state of a session as the byte its record stores: a code per state, fixed here and mapped to and from
 * the API's {@link TcpState} by explicit switches, never by the enum's ordinal, so an update of the API bundle
 * that reorders or extends the enum changes no adopted session. Code 0 is also the state of every non-TCP
 * session. Changing a code bumps {@link HandOverFormat#LAYOUT_VERSION}. Constants and pure functions only.
 */
public final class TcpStateCodes {
    /** Not TCP, or TCP before any state (a new session's record starts at 0). */
    public static final int NONE = 0;
    /** The inside host sent a SYN. */
    public static final int INIT_IN = 1;
    /** An unsolicited outside SYN is held. */
    public static final int INIT_OUT = 2;
    /** Both sides sent a SYN. */
    public static final int ESTABLISHED = 3;
    /** The inside host sent a FIN. */
    public static final int FIN_IN = 4;
    /** The outside sent a FIN. */
    public static final int FIN_OUT = 5;
    /** Both sides sent a FIN. */
    public static final int FIN_BOTH = 6;
    /** Reset by either side. */
    public static final int TRANSITORY = 7;
    /** Codes are {@code 0..COUNT-1}. */
    public static final int COUNT = 8;

    private TcpStateCodes() {
    }

    /**
     * Returns the API state of a code.
     *
     * @param code a code from a session record, 0..{@link #COUNT}-1
     * @return the state
     * @throws IllegalArgumentException for any other code
     */
    public static TcpState toState(int code) {
        return switch (code) {
            case NONE -> TcpState.NONE;
            case INIT_IN -> TcpState.INIT_IN;
            case INIT_OUT -> TcpState.INIT_OUT;
            case ESTABLISHED -> TcpState.ESTABLISHED;
            case FIN_IN -> TcpState.FIN_IN;
            case FIN_OUT -> TcpState.FIN_OUT;
            case FIN_BOTH -> TcpState.FIN_BOTH;
            case TRANSITORY -> TcpState.TRANSITORY;
            default -> throw new IllegalArgumentException("no TCP state has code " + code);
        };
    }

    /**
     * Returns the code of an API state.
     *
     * @param state the state
     * @return its code
     * @throws IllegalArgumentException for a state this format has no code for (an API newer than the format)
     */
    public static int toCode(TcpState state) {
        return switch (state) {
            case NONE -> NONE;
            case INIT_IN -> INIT_IN;
            case INIT_OUT -> INIT_OUT;
            case ESTABLISHED -> ESTABLISHED;
            case FIN_IN -> FIN_IN;
            case FIN_OUT -> FIN_OUT;
            case FIN_BOTH -> FIN_BOTH;
            case TRANSITORY -> TRANSITORY;
        };
    }
}
