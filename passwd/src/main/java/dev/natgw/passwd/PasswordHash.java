package dev.natgw.passwd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;

/**
 * Hashes a password into the form Karaf's jasypt encryption ({@code org.apache.karaf.jaas.jasypt}, built on jasypt's
 * {@code StandardStringDigester}) stores in {@code etc/users.properties} and checks at login: a random salt {@code S},
 * {@code D = H(S || UTF-8(NFC(password)))}, then {@code D = H(D)} another 999 times, stored as
 * {@code prefix + encode(S || D) + suffix}. The algorithm, encoding, prefix and suffix are read from the same
 * {@code etc/org.apache.karaf.jaas.cfg} Karaf reads, so the two never disagree.
 *
 * <p>
 * Salt size and iterations are jasypt's defaults, 8 bytes and 1,000: Karaf's {@code karaf} realm
 * ({@code org.apache.karaf.jaas.modules.impl.KarafRealm}, 4.4.10) hands its login module only
 * {@code encryption.name}, {@code enabled}, {@code prefix}, {@code suffix}, {@code algorithm} and {@code encoding}
 * from that file, so jasypt never sees any other setting there. A file that sets {@code encryption.iterations} or
 * {@code encryption.saltSizeBytes} is refused rather than hashed with figures Karaf would not use.
 *
 * <p>
 * Command line: {@code java -jar natgw-passwd.jar ETC/org.apache.karaf.jaas.cfg} reads the password from standard
 * input (never from the command line, which {@code ps} shows to every user), prints the stored form and exits 0;
 * exit 2 when the settings are not a salted jasypt digest Karaf would check, 1 on any other error.
 */
public final class PasswordHash {
    /** jasypt's salt size, which Karaf's realm leaves in place. */
    static final int SALT_BYTES = 8;
    /** jasypt's iteration count, which Karaf's realm leaves in place. */
    static final int ITERATIONS = 1000;

    /** The JAAS settings Karaf's realm passes on to jasypt. */
    record Settings(String algorithm, boolean base64, String prefix, String suffix) {
    }

    private PasswordHash() {
    }

    /**
     * Reads the encryption settings of a Karaf JAAS configuration.
     *
     * @param cfg etc/org.apache.karaf.jaas.cfg
     * @return the settings
     * @throws IllegalArgumentException when encryption is off or not jasypt, or sets what Karaf would ignore
     * @throws IOException when the file cannot be read
     */
    static Settings read(Path cfg) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(cfg, StandardCharsets.ISO_8859_1)) {
            p.load(in);
        }
        if (!Boolean.parseBoolean(p.getProperty("encryption.enabled", "false").strip())) {
            throw new IllegalArgumentException(cfg + ": encryption.enabled is not true");
        }
        String name = p.getProperty("encryption.name", "").strip();
        if (!name.equals("jasypt")) {
            throw new IllegalArgumentException(cfg + ": encryption.name is '" + name + "', not jasypt");
        }
        for (String ignored : new String[]{"encryption.iterations", "encryption.saltSizeBytes"}) {
            if (p.getProperty(ignored) != null) {
                throw new IllegalArgumentException(cfg + ": " + ignored + " is set, but Karaf's karaf realm does not"
                        + " pass it to jasypt, which keeps its default (" + SALT_BYTES + " bytes of salt, " + ITERATIONS
                        + " iterations): remove it");
            }
        }
        // jasypt's defaults for what is not set
        Settings s = new Settings(p.getProperty("encryption.algorithm", "MD5").strip(),
                !p.getProperty("encryption.encoding", "base64").strip().equalsIgnoreCase("hexadecimal"),
                p.getProperty("encryption.prefix", "").strip(), p.getProperty("encryption.suffix", "").strip());
        digest(s.algorithm());
        return s;
    }

    /**
     * @param password the password
     * @param s the settings
     * @param random where the salt comes from
     * @return the stored form, with prefix and suffix
     */
    static String hash(String password, Settings s, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        MessageDigest md = digest(s.algorithm());
        md.update(salt);
        md.update(Normalizer.normalize(password, Normalizer.Form.NFC).getBytes(StandardCharsets.UTF_8));
        byte[] d = md.digest();
        for (int i = 1; i < ITERATIONS; i++) {
            d = md.digest(d);
        }
        byte[] stored = Arrays.copyOf(salt, salt.length + d.length);
        System.arraycopy(d, 0, stored, salt.length, d.length);
        String encoded = s.base64()
                ? Base64.getEncoder().encodeToString(stored)
                : HexFormat.of().formatHex(stored).toUpperCase(Locale.ROOT);
        return s.prefix() + encoded + s.suffix();
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("encryption.algorithm " + algorithm + " is not a digest of this JDK", e);
        }
    }

    /** The password as given on standard input: everything up to the first line end. */
    static String password(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n' && b != '\r'; b = in.read()) {
            buf.write(b);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /**
     * @param args the path of etc/org.apache.karaf.jaas.cfg
     */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length != 1) {
            err.println("usage: java -jar natgw-passwd.jar ETC/org.apache.karaf.jaas.cfg < password");
            return 1;
        }
        try {
            Settings s = read(Path.of(args[0]));
            String password = password(in);
            if (password.isEmpty()) {
                err.println("natgw-passwd: no password on standard input");
                return 1;
            }
            out.println(hash(password, s, new SecureRandom()));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("natgw-passwd: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("natgw-passwd: " + e);
            return 1;
        }
    }
}
