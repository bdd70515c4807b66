package dev.natgw.traversal;

import dev.natgw.traversal.protocol.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A server's Ed25519 identity: the key pair and the key it names ({@code ed25519-<hex sha-256>}). Stored as a text file
 * of two lines, {@code private <base64 PKCS#8>} and {@code public <base64 X.509>}, readable by its owner only.
 * Immutable.
 */
public final class Identity {
    private final KeyPair pair;
    private final String key;

    private Identity(KeyPair pair) {
        this.pair = pair;
        this.key = Keys.keyOf(pair.getPublic());
    }

    /** {@return a new random identity} */
    public static Identity generate() {
        return new Identity(Keys.generate());
    }

    /** {@return the identity of this key pair, which must be Ed25519} */
    public static Identity of(KeyPair pair) {
        return new Identity(Objects.requireNonNull(pair, "pair"));
    }

    /** {@return the key this identity owns} */
    public String key() {
        return key;
    }

    public PublicKey publicKey() {
        return pair.getPublic();
    }

    PrivateKey privateKey() {
        return pair.getPrivate();
    }

    /** {@return the Ed25519 signature of data} */
    public byte[] sign(byte[] data) {
        return Keys.sign(pair.getPrivate(), data);
    }

    /**
     * Reads the identity in the file, or creates it there (mode 600 where the file system has POSIX permissions).
     *
     * @throws IOException if the file cannot be read or written, or does not hold an identity
     */
    public static Identity loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        Identity id = generate();
        String text = "private " + Base64.getEncoder().encodeToString(id.pair.getPrivate().getEncoded()) + "\n"
                + "public " + Base64.getEncoder().encodeToString(id.pair.getPublic().getEncoded()) + "\n";
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        "rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException raced) {
            return load(file);
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        return id;
    }

    /**
     * Reads an identity file.
     *
     * @throws IOException naming the file if it does not hold an Ed25519 identity
     */
    public static Identity load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        String priv = null;
        String pub = null;
        for (String line : lines) {
            String l = line.strip();
            if (l.startsWith("private ")) {
                priv = l.substring(8).strip();
            } else if (l.startsWith("public ")) {
                pub = l.substring(7).strip();
            }
        }
        if (priv == null || pub == null) {
            throw new IOException(file + " is not a natgw identity: it needs a 'private' and a 'public' line");
        }
        try {
            KeyFactory kf = KeyFactory.getInstance("Ed25519");
            PrivateKey privateKey = kf.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(priv)));
            PublicKey publicKey = kf.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pub)));
            KeyPair pair = new KeyPair(publicKey, privateKey);
            byte[] probe = "natgw-identity-check".getBytes(StandardCharsets.US_ASCII);
            if (!Keys.verify(publicKey, probe, Keys.sign(privateKey, probe))) {
                throw new IOException(file + ": its private and public keys do not belong together");
            }
            return new Identity(pair);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " does not hold an Ed25519 identity: " + e.getMessage(), e);
        }
    }
}
