package dev.natgw.api.dataplane;

/**
 * Which side of the gateway a port faces. On the fast path a role travels as its {@link #code()}
 * byte, so that {@link PacketBurst#inPort(int)} needs no object per packet.
 */
public enum PortRole {
    /** Faces the inside hosts, whose private addresses are translated. */
    INSIDE,
    /** Faces the outside network, where the pool's global addresses live. */
    OUTSIDE;

    /** The byte code of {@link #INSIDE}. */
    public static final byte CODE_INSIDE = 0;
    /** The byte code of {@link #OUTSIDE}. */
    public static final byte CODE_OUTSIDE = 1;

    /**
     * Returns this role as its byte code. Allocation-free; a worker may call it.
     *
     * @return {@link #CODE_INSIDE} or {@link #CODE_OUTSIDE}
     */
    public byte code() {
        return this == INSIDE ? CODE_INSIDE : CODE_OUTSIDE;
    }

    /**
     * Returns the role of a byte code. Allocation-free; a worker may call it.
     *
     * @param code {@link #CODE_INSIDE} or {@link #CODE_OUTSIDE}
     * @return the role
     * @throws IllegalArgumentException for any other code
     */
    public static PortRole ofCode(byte code) {
        return switch (code) {
            case CODE_INSIDE -> INSIDE;
            case CODE_OUTSIDE -> OUTSIDE;
            default -> throw new IllegalArgumentException("port role code must be 0 or 1, was " + code);
        };
    }
}
