package dev.natgw.traversal.protocol;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.HexFormat;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A forwarder's identity as the registration and data proofs name it (docs/protocol.md, section 4): the SHA-256 of
 * the DER encoding of the TLS certificate the forwarder presented on the connection, or 32 zero bytes on plain TCP,
 * where a forwarder proves nothing about itself. The server takes it from the certificate its own TLS handshake saw,
 * the forwarder from the certificate it presented, so a forwarder that relays a server's frames to another one gets a
 * proof naming itself, which the other refuses. Stateless.
 */
public final class ForwarderIdentity {
    /** The length of an identity. */
    public static final int BYTES = 32;

    private ForwarderIdentity() {
    }

    /** {@return the identity of a forwarder reached over plain TCP: 32 zero bytes} */
    public static byte[] none() {
        return new byte[BYTES];
    }

    /** {@return the SHA-256 of the certificate's DER encoding} */
    public static byte[] of(Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the certificate has no DER encoding: " + e.getMessage(), e);
        }
    }

    /**
     * {@return the identity this side presented on the connection (the forwarder's view): its TLS certificate's, or
     * none on plain TCP} The TLS handshake must be done (a frame read from the socket does it).
     */
    public static byte[] presented(Socket s) {
        if (s instanceof SSLSocket tls) {
            Certificate[] local = tls.getSession().getLocalCertificates();
            return local == null || local.length == 0 ? none() : of(local[0]);
        }
        return none();
    }

    /**
     * {@return the identity of the peer of the connection (the server's view of its forwarder): the certificate its
     * TLS handshake saw, or none on plain TCP}
     *
     * @throws ProtocolException BAD_PROOF if a TLS peer showed no certificate
     */
    public static byte[] seen(Socket s) throws ProtocolException {
        if (s instanceof SSLSocket tls) {
            SSLSession session = tls.getSession();
            try {
                return of(session.getPeerCertificates()[0]);
            } catch (SSLPeerUnverifiedException e) {
                throw new ProtocolException(ErrorCode.BAD_PROOF, "the forwarder showed no certificate");
            }
        }
        return none();
    }

    /** {@return the identity as text: "sha256:" and lowercase hex, or "none (plain TCP)"} */
    public static String text(byte[] identity) {
        for (byte b : identity) {
            if (b != 0) {
                return "sha256:" + HexFormat.of().formatHex(identity);
            }
        }
        return "none (plain TCP)";
    }
}
