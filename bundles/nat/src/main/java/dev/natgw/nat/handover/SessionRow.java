package dev.natgw.nat.handover;

/**
 * The fields of one listed session in a worker's answer to a LIST request: {@link #FIELDS} {@code long}s per
 * session, at these indexes. The worker writes them on its thread and the control plane reads them once the
 * request is answered; the state is a {@link TcpStateCodes} code. Rows do not outlive a revision, but they carry
 * its codes, so they are kept with the format. Constants only.
 */
public final class SessionRow {
    /** IP protocol number. */
    public static final int PROTOCOL = 0;
    /** Inside address. */
    public static final int INSIDE_ADDR = 1;
    /** Inside port. */
    public static final int INSIDE_PORT = 2;
    /** Outside address. */
    public static final int OUTSIDE_ADDR = 3;
    /** Outside port. */
    public static final int OUTSIDE_PORT = 4;
    /** Remote address. */
    public static final int REMOTE_ADDR = 5;
    /** Remote port. */
    public static final int REMOTE_PORT = 6;
    /** TCP state code ({@link TcpStateCodes}). */
    public static final int STATE = 7;
    /** Nanoseconds since the session last saw a packet. */
    public static final int IDLE_NANOS = 8;
    /** Pool slot, or the static slot. */
    public static final int POOL_SLOT = 9;
    /** The worker that holds the session. */
    public static final int WORKER = 10;
    /** Nanoseconds since the session was created. */
    public static final int AGE_NANOS = 11;
    /** Fields per session. */
    public static final int FIELDS = 12;

    private SessionRow() {
    }
}
