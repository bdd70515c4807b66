package dev.natgw.tools;

/** A command line that TcpLoad refuses; the message names the mode or option at fault. */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
