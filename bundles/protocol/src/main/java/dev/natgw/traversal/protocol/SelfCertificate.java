package dev.natgw.traversal.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.function.UnaryOperator;

/**
 * The self-signed X.509 certificate (version 1, no extensions) that carries an Ed25519 public key into a TLS
 * handshake: an end-to-end identity's (docs/protocol.md, section 11) or a forwarder's generated at its first start.
 * Nobody validates it as a CA would: the peer compares the key or the certificate's fingerprint with the one it
 * expects, and the TLS handshake proves the private key. Written with a small DER writer of its own, so it needs
 * nothing beyond the JDK. Stateless.
 */
public final class SelfCertificate {
    /** AlgorithmIdentifier { id-Ed25519 (1.3.101.112) }, RFC 8410. */
    private static final byte[] ED25519 = {0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70};
    /** SEQUENCE { SET { SEQUENCE { id-at-commonName, UTF8String "natgw" } } }. */
    private static final byte[] NAME = der(0x30, der(0x31, der(0x30, concat(new byte[]{0x06, 0x03, 0x55, 0x04, 0x03},
            der(0x0C, "natgw".getBytes(StandardCharsets.US_ASCII))))));
    /** Validity { 1970-01-01, 2049-12-31 } in UTCTime: the peer checks the key, never the dates. */
    private static final byte[] VALIDITY = der(0x30, concat(der(0x17, "700101000000Z".getBytes(
            StandardCharsets.US_ASCII)), der(0x17, "491231235959Z".getBytes(StandardCharsets.US_ASCII))));

    private SelfCertificate() {
    }

    /**
     * {@return the certificate of an Ed25519 public key, signed by its private key}
     *
     * @param publicKey the Ed25519 public key
     * @param signer signs bytes with the matching private key
     */
    public static X509Certificate of(PublicKey publicKey, UnaryOperator<byte[]> signer) {
        byte[] tbs = der(0x30, concat(new byte[]{0x02, 0x01, 0x01}, ED25519, NAME, VALIDITY, NAME, publicKey
                .getEncoded()));
        byte[] signature = signer.apply(tbs);
        byte[] bits = new byte[signature.length + 1];
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] cert = der(0x30, concat(tbs, ED25519, der(0x03, bits)));
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(cert));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the key's certificate: " + e.getMessage(), e);
        }
    }

    /** {@return a DER tag-length-value} */
    private static byte[] der(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 4);
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >>> 8);
            out.write(n);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
