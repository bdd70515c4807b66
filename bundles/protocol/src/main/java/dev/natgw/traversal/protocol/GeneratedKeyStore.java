package dev.natgw.traversal.protocol;

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

/**
 * A PKCS#12 key store holding one Ed25519 key and its {@link SelfCertificate}, made by the appliance at the first start
 * of a TLS listener (the forwarder's, the registry face's) and kept, readable by its owner only, for the next starts,
 * like an ssh host key. Its protection is the file's permissions: PKCS#12 wants a password, so the password is the
 * fixed {@link #PASSWORD}, which says nothing secret. Stateless.
 */
public final class GeneratedKeyStore {
    /** The password of every generated store and of the key in it. */
    public static final String PASSWORD = "natgw-generated";

    private GeneratedKeyStore() {
    }

    /**
     * Makes the store if the file does not exist yet: a new key, its certificate, written to a temporary file readable
     * by the owner only and moved into place whole (the directory is made owner-only if missing).
     *
     * @return whether the store was made now
     */
    public static boolean ensure(Path file, String alias) throws IOException, GeneralSecurityException {
        if (Files.exists(file)) {
            return false;
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
        }
        KeyPair pair = Keys.generate();
        Certificate certificate = SelfCertificate.of(pair.getPublic(), data -> Keys.sign(pair.getPrivate(), data));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, pair.getPrivate(), PASSWORD.toCharArray(), new Certificate[]{certificate});
        Path tmp = Files.createTempFile(dir, "." + alias, ".tmp", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ks.store(out, PASSWORD.toCharArray());
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }

    /** {@return the key store in the file} */
    public static KeyStore load(Path file, String type, char[] password) throws IOException,
            GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        return ks;
    }

    /**
     * {@return the certificate of the store's key under alias, or of its first key if alias is null or empty}
     *
     * @throws GeneralSecurityException if there is no such key with a certificate
     */
    public static Certificate certificate(KeyStore ks, String alias) throws GeneralSecurityException {
        if (alias != null && !alias.isEmpty()) {
            if (!ks.isKeyEntry(alias) || ks.getCertificate(alias) == null) {
                throw new GeneralSecurityException("it holds no key " + alias + " with a certificate");
            }
            return ks.getCertificate(alias);
        }
        for (String a : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(a) && ks.getCertificate(a) != null) {
                return ks.getCertificate(a);
            }
        }
        throw new GeneralSecurityException("it holds no key with a certificate");
    }
}
