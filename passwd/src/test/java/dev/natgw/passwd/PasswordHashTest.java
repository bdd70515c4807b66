package dev.natgw.passwd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.karaf.jaas.jasypt.impl.JasyptEncryption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hashes natgw-passwd writes are the ones Karaf's own jasypt encryption accepts, with the settings the
 * distribution ships (etc/org.apache.karaf.jaas.cfg), and they are salted.
 */
class PasswordHashTest {
    private static final Path SHIPPED = Path.of(System.getProperty("natgw.jaas.cfg"));
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String[] REALM_KEYS = {"encryption.enabled", "encryption.name", "encryption.prefix",
            "encryption.suffix", "encryption.algorithm", "encryption.encoding"};

    /**
     * Karaf's check, as its karaf realm and EncryptionSupport make it: the realm (KarafRealm in jaas.modules 4.4.10)
     * passes only these keys of etc/org.apache.karaf.jaas.cfg to the login module; EncryptionSupport hands the
     * encryption.* ones less enabled, name, prefix and suffix to the jasypt EncryptionService, and strips prefix and
     * suffix off the stored value.
     */
    private static boolean karafAccepts(Path cfg, String password, String stored) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(cfg, StandardCharsets.ISO_8859_1)) {
            p.load(in);
        }
        Map<String, String> options = new HashMap<>();
        for (String key : REALM_KEYS) {
            if (p.getProperty(key) != null) {
                options.put(key.substring("encryption.".length()), p.getProperty(key).strip());
            }
        }
        String prefix = options.remove("prefix");
        String suffix = options.remove("suffix");
        options.remove("enabled");
        options.remove("name");
        assertThat(stored).startsWith(prefix).endsWith(suffix);
        return new JasyptEncryption(options).checkPassword(password,
                stored.substring(prefix.length(), stored.length() - suffix.length()));
    }

    @Test
    void karafsJasyptEncryptionAcceptsTheHashWithTheShippedSettingsAndRefusesAnotherPassword() throws Exception {
        PasswordHash.Settings s = PasswordHash.read(SHIPPED);
        for (String password : new String[]{"correct horse battery", "pässwörd-ñ", "x".repeat(200)}) {
            String stored = PasswordHash.hash(password, s, RANDOM);
            assertThat(karafAccepts(SHIPPED, password, stored)).as(password).isTrue();
            assertThat(karafAccepts(SHIPPED, password + "x", stored)).isFalse();
        }
    }

    @Test
    void theShippedSettingsAreSaltedAndIterated() throws Exception {
        PasswordHash.Settings s = PasswordHash.read(SHIPPED);
        assertThat(s.algorithm()).isEqualTo("SHA-512");
        String stored = PasswordHash.hash("same password", s, RANDOM);
        byte[] raw = Base64.getDecoder().decode(stored.substring(7, stored.length() - 7));
        assertThat(raw).hasSize(8 + 64);
        // Karaf's jasypt service, given iterations it is never given at login, refuses the hash: the 1,000 are real
        Map<String, String> once = new HashMap<>(Map.of("algorithm", "SHA-512", "encoding", "base64"));
        once.put("iterations", "1");
        assertThat(new JasyptEncryption(once).checkPassword("same password", stored.substring(7, stored.length() - 7)))
                .isFalse();
        once.put("iterations", "1000");
        assertThat(new JasyptEncryption(once).checkPassword("same password", stored.substring(7, stored.length() - 7)))
                .isTrue();
    }

    @Test
    void theSamePasswordHashesDifferentlyEachTime() throws Exception {
        PasswordHash.Settings s = PasswordHash.read(SHIPPED);
        String a = PasswordHash.hash("same password", s, RANDOM);
        String b = PasswordHash.hash("same password", s, RANDOM);
        assertThat(a).isNotEqualTo(b);
        assertThat(karafAccepts(SHIPPED, "same password", a)).isTrue();
        assertThat(karafAccepts(SHIPPED, "same password", b)).isTrue();
    }

    @Test
    void hexadecimalEncodingAndUnicodeNormalisationMatchKarafToo(@TempDir Path dir) throws Exception {
        Path cfg = Files.writeString(dir.resolve("jaas.cfg"), String.join("\n", "encryption.enabled = true",
                "encryption.name = jasypt", "encryption.prefix = {CRYPT}", "encryption.suffix = {CRYPT}",
                "encryption.algorithm = SHA-256", "encryption.encoding = hexadecimal", ""));
        // "é" composed and decomposed: jasypt normalises both to NFC before digesting
        String stored = PasswordHash.hash("caf\u00e9-password", PasswordHash.read(cfg), RANDOM);
        assertThat(stored).matches("\\{CRYPT\\}[0-9A-F]{80}\\{CRYPT\\}");
        assertThat(karafAccepts(cfg, "cafe\u0301-password", stored)).isTrue();
    }

    @Test
    void settingsThatAreNotASaltedJasyptDigestAreRefusedWithExitTwo(@TempDir Path dir) throws Exception {
        Path basic = Files.writeString(dir.resolve("basic.cfg"), String.join("\n", "encryption.enabled = true",
                "encryption.name = basic", "encryption.algorithm = SHA-256", ""));
        Path iterated = Files.writeString(dir.resolve("iterated.cfg"), String.join("\n", "encryption.enabled = true",
                "encryption.name = jasypt", "encryption.iterations = 200000", ""));
        Path off = Files.writeString(dir.resolve("off.cfg"), "encryption.enabled = false\n");
        assertThat(run(basic, "secret-password")).startsWith("2 ").contains("not jasypt");
        assertThat(run(iterated, "secret-password")).startsWith("2 ").contains("encryption.iterations is set")
                .contains("does not pass it to jasypt");
        assertThat(run(off, "secret-password")).startsWith("2 ").contains("encryption.enabled is not true");
    }

    @Test
    void theCommandLineReadsOneLineOfStandardInputAndPrintsOnlyTheHash() throws Exception {
        String out = run(SHIPPED, "line-password\nnext line");
        assertThat(out).startsWith("0 {CRYPT}").doesNotContain("line-password");
        String stored = out.substring(2).strip();
        assertThat(karafAccepts(SHIPPED, "line-password", stored)).isTrue();
        assertThat(run(SHIPPED, "")).startsWith("1 ").contains("no password");
    }

    /** Runs the command line; gives "EXIT OUTPUT", where the output is stdout then stderr. */
    private static String run(Path cfg, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PasswordHash.run(new String[]{cfg.toString()},
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return exit + " " + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }
}
