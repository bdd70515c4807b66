package dev.natgw.forwarder.internal;

import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.GeneratedKeyStore;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarder's TLS: the context its listener speaks with and the fingerprint of its certificate (docs/protocol.md,
 * sections 4 and 8), from the operator's key store or, without one, from a key and self-signed certificate generated
 * at the first start and kept, owner-only, for the next ones. The fingerprint is what the forwarder announces for
 * pinning and what names it in a server's registration proof. Immutable.
 *
 * @param context the server-side TLS context
 * @param fingerprint "sha256:" and the lowercase hex SHA-256 of the certificate ({@link ForwarderIdentity#text})
 * @param generated whether the key is the generated one
 */
public record ForwarderTls(SSLContext context, String fingerprint, boolean generated) {

    private static final Logger LOG = LoggerFactory.getLogger(ForwarderTls.class);
    private static final String ALIAS = "natgw-forwarder";

    /**
     * {@return the TLS of these settings: tls.keystore's key, or the generated one}
     *
     * @throws IllegalArgumentException naming tls.keystore or tls.generated if the key store cannot be used
     */
    public static ForwarderTls of(ForwarderSettings s) {
        if (!s.keystore().isEmpty()) {
            try {
                return load(Path.of(s.keystore()), s.keystoreType(), s.keystorePassword().toCharArray(), false);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException("tls.keystore " + s.keystore() + " cannot be used: " + e
                        .getMessage(), e);
            }
        }
        Path file = s.generatedKeystore();
        try {
            if (GeneratedKeyStore.ensure(file, ALIAS)) {
                LOG.info("natgw forwarder: generated a TLS key and self-signed certificate in {}", file);
            }
            return load(file, "PKCS12", GeneratedKeyStore.PASSWORD.toCharArray(), true);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("tls.generated " + file + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static ForwarderTls load(Path file, String type, char[] password, boolean generated) throws IOException,
            GeneralSecurityException {
        KeyStore ks = GeneratedKeyStore.load(file, type, password);
        Certificate certificate = GeneratedKeyStore.certificate(ks, null);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return new ForwarderTls(ctx, ForwarderIdentity.text(ForwarderIdentity.of(certificate)), generated);
    }
}
