package dev.natgw.forwarder.internal;

import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.SelfCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collections;
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
     * PKCS12 wants a password; the generated store's protection is its owner-only permissions, as for an ssh host key,
     * so the password is fixed and says nothing secret.
     */
    private static final char[] GENERATED_PASSWORD = "natgw-generated".toCharArray();

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
            if (!Files.exists(file)) {
                generate(file);
                LOG.info("natgw forwarder: generated a TLS key and self-signed certificate in {}", file);
            }
            return load(file, "PKCS12", GENERATED_PASSWORD, true);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("tls.generated " + file + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static ForwarderTls load(Path file, String type, char[] password, boolean generated) throws IOException,
            GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        Certificate certificate = null;
        for (String alias : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                certificate = ks.getCertificate(alias);
                break;
            }
        }
        if (certificate == null) {
            throw new GeneralSecurityException("it holds no key with a certificate");
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return new ForwarderTls(ctx, ForwarderIdentity.text(ForwarderIdentity.of(certificate)), generated);
    }

    /** Writes a new Ed25519 key and its self-signed certificate, readable by the owner only, moved into place whole. */
    private static void generate(Path file) throws IOException, GeneralSecurityException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
        }
        KeyPair pair = Keys.generate();
        Certificate certificate = SelfCertificate.of(pair.getPublic(), data -> Keys.sign(pair.getPrivate(), data));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(ALIAS, pair.getPrivate(), GENERATED_PASSWORD, new Certificate[]{certificate});
        Path tmp = Files.createTempFile(dir, ".forwarder-tls", ".tmp", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ks.store(out, GENERATED_PASSWORD);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
