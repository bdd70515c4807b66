package dev.natgw.traversal;

import javax.net.ssl.SSLException;

/**
 * An end-to-end stream ended without the peer's close_notify (docs/protocol.md, section 11): its transport was closed
 * under it, by a forwarder or anyone else on the path, so what arrived may be only the first part of what the peer
 * sent. Read from a {@link PeerConnection}'s socket in place of an end of stream; the message names the key.
 */
public final class TruncatedStreamException extends SSLException {
    private static final long serialVersionUID = 1L;

    /** @param message which channel was cut short, naming the key */
    public TruncatedStreamException(String message) {
        super(message);
    }
}
