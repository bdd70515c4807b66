package dev.natgw.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Constants;

/**
 * A jar that natgw:update may install: read only from a {@code file:} or {@code mvn:} URL (or a file path) into a
 * private temporary copy, whose SHA-256 and Bundle-SymbolicName are known once {@link #fetch} returns. The framework
 * is given that copy, so the bytes checked are the bytes installed: the source cannot change in between. Nothing
 * here touches a bundle; {@link #close} deletes the copy.
 */
public final class JarSource implements AutoCloseable {
    /** The URL schemes a jar may come from; a plain file path counts as {@code file}. */
    public static final List<String> SCHEMES = List.of("file", "mvn");

    private final String source;
    private final Path copy;
    private final byte[] sha256;
    private final String symbolicName;

    private JarSource(String source, Path copy, byte[] sha256, String symbolicName) {
        this.source = source;
        this.copy = copy;
        this.sha256 = sha256;
        this.symbolicName = symbolicName;
    }

    /**
     * Copies the jar at source into a new temporary file (owner-only, in {@code java.io.tmpdir}: Karaf's data/tmp)
     * and reads its digest and manifest.
     *
     * @param source a {@code file:} or {@code mvn:} URL, or a file path
     * @return the copy, which the caller closes
     * @throws IllegalArgumentException when the scheme is not allowed or the jar is no bundle
     * @throws IOException when it cannot be read
     */
    public static JarSource fetch(String source) throws IOException {
        URI uri = allowed(source);
        Path copy = Files.createTempFile("natgw-update-", ".jar");
        try {
            MessageDigest digest = sha256();
            try (InputStream in = uri == null ? openPath(Path.of(source)) : open(uri);
                    OutputStream out = new DigestOutputStream(Files.newOutputStream(copy), digest)) {
                in.transferTo(out);
            }
            return new JarSource(source, copy, digest.digest(), symbolicName(copy, source));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(copy);
            throw e;
        }
    }

    /**
     * The URI of source when it is an allowed URL, null when it is a file path.
     *
     * @throws IllegalArgumentException naming the allowed schemes when it is neither
     */
    static URI allowed(String source) {
        String scheme = scheme(source);
        if (scheme == null) {
            return null;
        }
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("natgw:update takes a jar only from a file: or mvn: URL or a file path,"
                    + " not from " + scheme + ": (" + source + "). Copy the jar onto the appliance, check it"
                    + " (--sha256 HEX) and give its path");
        }
        if (scheme.equals("mvn") && source.contains("!")) {
            // pax-url's mvn:REPOSITORY!group/artifact/version fetches from any repository it names
            throw new IllegalArgumentException(
                    "natgw:update refuses a mvn: URL that names its own repository (" + source
                            + "): give mvn:group/artifact/version, resolved through the repositories of"
                            + " etc/org.ops4j.pax.url.mvn.cfg, or a file: URL");
        }
        try {
            return new URI(source);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + source + " (" + e.getReason() + ")", e);
        }
    }

    /** The lower-case scheme of a URL, or null for a file path (a Windows drive letter is no scheme). */
    static String scheme(String source) {
        if (!source.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || source.matches("^[a-zA-Z]:[\\\\/].*")) {
            return null;
        }
        return source.substring(0, source.indexOf(':')).toLowerCase(Locale.ROOT);
    }

    private static InputStream open(URI uri) throws IOException {
        if (uri.getScheme().equalsIgnoreCase("file")) {
            try {
                return openPath(Path.of(uri));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a local file URL: " + uri + " (" + e.getMessage() + ")", e);
            }
        }
        // mvn: resolves through the framework's URL handler (pax-url-aether in Karaf)
        return uri.toURL().openStream();
    }

    private static InputStream openPath(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new IOException("no such jar: " + p.toAbsolutePath());
        }
        return Files.newInputStream(p);
    }

    private static String symbolicName(Path jar, String source) throws IOException {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not a jar (" + e.getMessage() + ")", e);
        }
        String bsn = manifest == null ? null : manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsn == null || bsn.isBlank()) {
            throw new IllegalArgumentException(source + " is not an OSGi bundle: its manifest has no "
                    + Constants.BUNDLE_SYMBOLICNAME);
        }
        // "name;singleton:=true": the name ends at the first directive or attribute
        int semicolon = bsn.indexOf(';');
        return (semicolon < 0 ? bsn : bsn.substring(0, semicolon)).strip();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Refuses the jar when it is not for the target bundle or not the expected one. Call before the bundle is touched.
     *
     * @param targetSymbolicName the symbolic name of the bundle to update
     * @param expectedSha256 64 hex digits, or null when no digest was given
     * @throws IllegalArgumentException naming what differs
     */
    public void check(String targetSymbolicName, String expectedSha256) {
        if (expectedSha256 != null) {
            byte[] expected = parseSha256(expectedSha256);
            if (!MessageDigest.isEqual(expected, sha256)) {
                throw new IllegalArgumentException("the SHA-256 of " + source + " is " + sha256Hex() + ", not the "
                        + HexFormat.of().formatHex(expected) + " given with --sha256: nothing was changed");
            }
        }
        if (!symbolicName.equals(targetSymbolicName)) {
            throw new IllegalArgumentException(source + " is bundle " + symbolicName + ", not " + targetSymbolicName
                    + ": natgw:update replaces a bundle only with a jar of the same Bundle-SymbolicName;"
                    + " nothing was changed");
        }
    }

    /**
     * @param hex the digest as given on the command line
     * @return its 32 bytes
     * @throws IllegalArgumentException unless it is 64 hex digits
     */
    public static byte[] parseSha256(String hex) {
        String h = hex.strip();
        if (!h.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("--sha256 wants the jar's SHA-256 as 64 hex digits (as sha256sum prints"
                    + " it), not '" + hex + "'");
        }
        return HexFormat.of().parseHex(h.toLowerCase(Locale.ROOT));
    }

    /** {@return the copy's SHA-256, 64 lower-case hex digits} */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256);
    }

    /** {@return where the jar was read from, as given} */
    public String source() {
        return source;
    }

    /** {@return the Bundle-SymbolicName of the jar, without directives} */
    public String symbolicName() {
        return symbolicName;
    }

    /**
     * @return a new stream over the checked copy
     * @throws IOException when the copy cannot be read
     */
    public InputStream open() throws IOException {
        return Files.newInputStream(copy);
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(copy);
    }
}
