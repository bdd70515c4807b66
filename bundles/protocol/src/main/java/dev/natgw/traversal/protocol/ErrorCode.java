package dev.natgw.traversal.protocol;

/** The codes of an ERROR frame (docs/protocol.md, section 3). */
public enum ErrorCode {
    MALFORMED(1), UNSUPPORTED_VERSION(2), FRAME_TOO_LARGE(3), UNEXPECTED(4), TIMEOUT(5), BAD_PROOF(10), REPLACED(
            11), LIMIT(12), RATE_LIMITED(13), NOT_ADMITTED(14), UNKNOWN_KEY(
                    20), DECLINED(21), SERVER_TIMEOUT(22), BAD_TOKEN(23), PROBE_REFUSED(30), SHUTDOWN(99),
    /** A code this implementation does not know; never sent. */
    UNKNOWN(0);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** {@return the code on the wire} */
    public int code() {
        return code;
    }

    /** {@return the constant with this wire code, or UNKNOWN} */
    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code && c != UNKNOWN) {
                return c;
            }
        }
        return UNKNOWN;
    }
}
