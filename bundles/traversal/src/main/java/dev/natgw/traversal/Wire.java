package dev.natgw.traversal;

import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

    /**
     * Parks a data connection just opened (docs/protocol.md, section 5a): PARK with the key, the signature of the
     * forwarder's nonce over the forwarder seen on this connection, then waits (up to the forwarder's idle time and a
     * handshake timeout) until a client is paired with it, answers CONNECTED and reads the forwarder's.
     *
     * @return the client's address as the forwarder saw it; the socket is relayed from here, with no read timeout
     * @throws ProtocolException the forwarder's ERROR: UNEXPECTED from a forwarder older than parking, LIMIT at its
     *     bounds
     * @throws java.io.EOFException the forwarder closed the connection (its parked idle timeout)
     */
    static String park(Socket s, String key, Identity id, TraversalOptions o) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        new Payload.Writer().string(key).frame(MessageType.PARK).write(out);
        Payload.Reader n = Frame.read(in).expect(MessageType.PARK_NONCE).reader();
        byte[] nonce = n.bytes(Keys.NONCE_BYTES, Keys.NONCE_BYTES);
        long idleMillis = n.u32();
        n.end();
        new Payload.Writer().bytes(id.sign(Keys.parkProof(ForwarderIdentity.seen(s), nonce))).frame(
                MessageType.PARK_PROOF).write(out);
        s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, idleMillis + o.handshakeTimeout().toMillis()));
        Payload.Reader paired = Frame.read(in).expect(MessageType.PAIRED).reader();
        String client = paired.string(256);
        paired.end();
        s.setSoTimeout((int) o.handshakeTimeout().toMillis());
        Frame.of(MessageType.CONNECTED).write(out);
        Frame.read(in).expect(MessageType.CONNECTED);
        s.setSoTimeout(0);
        return client;
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
