package dev.natgw.traversal;

import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.Socket;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** The client side of the forwarder's connections (docs/protocol.md, sections 5 and 6). Stateless. */
final class Wire {
    private Wire() {
    }

    /** {@return a connected socket to the endpoint, TLS done if it speaks TLS; its read timeout is the handshake's} */
    static Socket open(Endpoint e, TraversalOptions o) throws IOException {
        return open(e, o, false);
    }

    /**
     * As {@link #open(Endpoint, TraversalOptions)}; if reusable, from a local port other sockets may bind again at
     * once (SO_REUSEADDR, and SO_REUSEPORT where the system has it), as a hole punch from the same port needs.
     */
    private static Socket open(Endpoint e, TraversalOptions o, boolean reusable) throws IOException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            if (reusable) {
                reusable(plain);
                plain.bind(new InetSocketAddress(0));
            }
            plain.connect(new InetSocketAddress(e.host(), e.port()), (int) o.connectTimeout().toMillis());
            plain.setSoTimeout((int) o.handshakeTimeout().toMillis());
            if (!e.tls()) {
                return plain;
            }
            if (e.pin() != null) {
                // the announced fingerprint is the trust: that certificate and no other, whatever its names
                SSLSocket tls = (SSLSocket) PinnedTrust.factory(e.pin()).createSocket(plain, e.host(), e.port(), true);
                tls.startHandshake();
                return tls;
            }
            SSLSocket tls = (SSLSocket) o.tls().createSocket(plain, e.host(), e.port(), true);
            // the certificate must name the host we asked for, as HTTPS checks it
            SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(p);
            tls.startHandshake();
            return tls;
        } catch (IOException | RuntimeException ex) {
            plain.close();
            throw ex;
        }
    }

    /**
     * Reaches a key through a forwarder.
     *
     * @return the relayed socket, with no read timeout
     */
    static Socket connect(Endpoint forwarder, String key, TraversalOptions o) throws IOException {
        return relayed(open(forwarder, o), new Payload.Writer().string(key).frame(MessageType.CONNECT));
    }

    /**
     * Opens the data connection for a token, signed by the server's key over the forwarder it saw on this connection
     * (docs/protocol.md, section 5), so that nobody else can use the token; returns it relayed, with no read timeout.
     */
    static Socket data(Endpoint forwarder, byte[] token, Identity id, TraversalOptions o) throws IOException {
        Socket s = open(forwarder, o);
        byte[] signature;
        try {
            signature = id.sign(Keys.dataProof(ForwarderIdentity.seen(s), token));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return relayed(s, new Payload.Writer().bytes(token).bytes(signature).frame(MessageType.DATA));
    }

    /** Sends the opening frame on a connection just opened and waits for CONNECTED; closes it on failure. */
    private static Socket relayed(Socket s, Frame opening) throws IOException {
        try {
            opening.write(s.getOutputStream());
            Frame.read(s.getInputStream()).expect(MessageType.CONNECTED);
            s.setSoTimeout(0);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Sets SO_REUSEADDR, and SO_REUSEPORT where the system has it, on a socket not yet bound. */
    static void reusable(Socket s) throws IOException {
        s.setReuseAddress(true);
        if (s.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
            s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
    }

    /** What OBSERVE answered: the local port it was asked from and the address the forwarder saw. */
    record Observed(int localPort, String address) {
    }

    /**
     * Asks the forwarder which address and port it sees this host at (docs/protocol.md, section 6a), from a reusable
     * local port, and waits for the forwarder to close first, so that the local port is free again at once.
     *
     * @throws IOException if the forwarder cannot be reached or does not know OBSERVE (ERROR UNEXPECTED)
     */
    static Observed observe(Endpoint forwarder, TraversalOptions o) throws IOException {
        try (Socket s = open(forwarder, o, true)) {
            Frame.of(MessageType.OBSERVE).write(s.getOutputStream());
            Payload.Reader r = Frame.read(s.getInputStream()).expect(MessageType.OBSERVED).reader();
            String address = r.string(80);
            r.end();
            int port = s.getLocalPort();
            if (s.getInputStream().read() >= 0) {
                throw new ProtocolException(ErrorCode.UNEXPECTED, "bytes after OBSERVED");
            }
            return new Observed(port, address);
        }
    }

    /** A PROBE_RESULT. */
    record ProbeResult(boolean reachable, String address, byte[] nonce, String detail) {
    }

    /** Asks the forwarder to connect back to this host's source address at port. */
    static ProbeResult probe(Endpoint forwarder, int port, TraversalOptions o) throws IOException {
        try (Socket s = open(forwarder, o)) {
            // the forwarder may take its probe timeout (at most 60 s) to connect back, then answers
            s.setSoTimeout((int) o.handshakeTimeout().toMillis() + 60_000);
            new Payload.Writer().string("").u16(port).frame(MessageType.PROBE).write(s.getOutputStream());
            Payload.Reader r = Frame.read(s.getInputStream()).expect(MessageType.PROBE_RESULT).reader();
            boolean reachable = r.u8() == 1;
            String address = r.string(80);
            byte[] nonce = r.bytes(0, Keys.NONCE_BYTES);
            String detail = r.string(1024);
            r.end();
            return new ProbeResult(reachable, address, nonce, detail);
        }
    }
}
