package dev.natgw.traversal.protocol;

/** The frame types of protocol version 1 (docs/protocol.md, section 3). */
public final class MessageType {
    public static final int HELLO = 0x01;
    public static final int CHALLENGE = 0x02;
    public static final int REGISTER = 0x03;
    public static final int REGISTERED = 0x04;
    public static final int PING = 0x10;
    public static final int PONG = 0x11;
    public static final int CONNECT = 0x20;
    public static final int INCOMING = 0x21;
    public static final int CONNECTED = 0x22;
    public static final int DATA = 0x23;
    public static final int DECLINE = 0x24;
    /** S → F, opens a parked data connection (section 5a): the server's key. */
    public static final int PARK = 0x50;
    /** F → S on a parked connection: the nonce to sign and how long the connection may stay parked. */
    public static final int PARK_NONCE = 0x51;
    /** S → F on a parked connection: the signature of the nonce (section 5a). */
    public static final int PARK_PROOF = 0x52;
    /** F → S on a parked connection: a client is paired with it; the server answers CONNECTED. */
    public static final int PAIRED = 0x53;
    public static final int PROBE = 0x30;
    public static final int PROBE_HELLO = 0x31;
    public static final int PROBE_RESULT = 0x32;
    /** Opens a connection that asks the forwarder for this connection's source address as it sees it (section 6a). */
    public static final int OBSERVE = 0x33;
    /** The forwarder's answer to OBSERVE: the asker's {@code ip:port}. */
    public static final int OBSERVED = 0x34;
    /** Inside the end-to-end channel (section 11): the client's first frame. */
    public static final int E2E_HELLO = 0x40;
    /** Inside the end-to-end channel: the server admits the client. */
    public static final int E2E_ACCEPT = 0x41;
    public static final int ERROR = 0x7F;

    private MessageType() {
    }

    /** {@return the type's name, or "0xNN" for an unknown type} */
    public static String name(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case CHALLENGE -> "CHALLENGE";
            case REGISTER -> "REGISTER";
            case REGISTERED -> "REGISTERED";
            case PING -> "PING";
            case PONG -> "PONG";
            case CONNECT -> "CONNECT";
            case INCOMING -> "INCOMING";
            case CONNECTED -> "CONNECTED";
            case DATA -> "DATA";
            case DECLINE -> "DECLINE";
            case PARK -> "PARK";
            case PARK_NONCE -> "PARK_NONCE";
            case PARK_PROOF -> "PARK_PROOF";
            case PAIRED -> "PAIRED";
            case PROBE -> "PROBE";
            case PROBE_HELLO -> "PROBE_HELLO";
            case PROBE_RESULT -> "PROBE_RESULT";
            case OBSERVE -> "OBSERVE";
            case OBSERVED -> "OBSERVED";
            case E2E_HELLO -> "E2E_HELLO";
            case E2E_ACCEPT -> "E2E_ACCEPT";
            case ERROR -> "ERROR";
            default -> String.format("0x%02X", type);
        };
    }
}
