package dev.natgw.traversal.protocol;

import java.io.IOException;

/**
 * A protocol failure: either the peer broke the protocol (the code says how, and the receiver answers it with an
 * ERROR frame), or the peer sent an ERROR frame ({@link #remote()} is true).
 */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final boolean remote;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, false);
    }

    public ProtocolException(ErrorCode code, String message, boolean remote) {
        // an ERROR frame's text is often this class's own message from the other end, which names the code already
        super(message != null && message.startsWith(code + ": ") ? message : code + ": " + message);
        this.code = code;
        this.remote = remote;
    }

    /** {@return what went wrong} */
    public ErrorCode code() {
        return code;
    }

    /** {@return true if the peer sent this as an ERROR frame, false if it was found here} */
    public boolean remote() {
        return remote;
    }
}
