package dev.natgw.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * How the distribution keeps its secrets, started with its own scripts as an upgraded appliance would be: the unsalted
 * SHA-256 hashes of earlier natgw versions are retired at start, admin gets a salted, iterated hash (Karaf's jasypt
 * encryption), a second user with the same password gets another hash,  both log in through
 * {@code bin/client}, and etc/ and data/log/ are readable by the appliance's user only.
 */
@SuppressWarnings("try") // Distribution.close() waits for Karaf to stop
public class StoredSecretsIT {
    private static final String PASSWORD = "itest-stored-secrets";
    /** What natgw wrote before salted hashes: SHA-256 of the password, hex, no salt. */
    private static final String UNSALTED = "{CRYPT}" + "0f".repeat(32) + "{CRYPT}";
    /** Karaf's jasypt form with the shipped settings: base64 of an 8-byte salt and a 64-byte SHA-512 digest. */
    private static final Pattern SALTED = Pattern.compile("\\{CRYPT\\}([A-Za-z0-9+/]+=*)\\{CRYPT\\}");

    @Test
    public void unsaltedHashesAreRetiredEveryHashIsSaltedAndEtcAndLogsArePrivate() throws Exception {
        try (Distribution natgw = Distribution.unpack("secrets")) {
            // etc/users.properties as an earlier natgw left it, kept across an upgrade by ./natgw run
            Path users = natgw.home.resolve("etc/users.properties");
            Files.writeString(users, Files.readString(users) + "admin = " + UNSALTED + ",_g_:admingroup\n"
                    + "olduser = " + UNSALTED + ",viewer,ssh\n");

            // the archive unpacks etc/ with the usual modes: what the test finds private below, the start made so
            Path jaas = natgw.home.resolve("etc/org.apache.karaf.jaas.cfg");
            assertTrue(PosixFilePermissions.toString(Files.getPosixFilePermissions(jaas)),
                    Files.getPosixFilePermissions(jaas).contains(PosixFilePermission.OTHERS_READ));

            Distribution.Result start = natgw.exec(Map.of("NATGW_ADMIN_PASSWORD", PASSWORD), Duration.ofSeconds(60),
                    "bin/start");
            assertEquals(start.output(), 0, start.exit());
            assertTrue(start.output(),
                    start.output().contains("retired the unsalted password hashes of: admin olduser"));
            assertTrue(start.output(), start.output().contains("user \"admin\" created with the given password"));

            String afterStart = Files.readString(users);
            assertFalse("no unsalted hash is left:\n" + afterStart, afterStart.contains(UNSALTED));
            assertTrue(afterStart, afterStart.contains("# olduser = (unsalted password hash retired by natgw"));
            String adminHash = storedHash(afterStart, "admin");

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(
                    () -> natgw.client("admin", PASSWORD, "natgw:status --no-format").output()
                            .contains("dev.natgw.core"));

            // a second user with the same password, hashed by Karaf itself
            Distribution.Result added = natgw.client("admin", PASSWORD, "jaas:realm-manage --realm karaf;"
                    + " jaas:user-add twin " + PASSWORD + "; jaas:role-add twin viewer; jaas:role-add twin ssh;"
                    + " jaas:update");
            assertEquals(added.output(), 0, added.exit());
            await().atMost(Duration.ofSeconds(30)).until(() -> storedHash(Files.readString(users), "twin") != null);
            String twinHash = storedHash(Files.readString(users), "twin");
            assertNotEquals("the same password gives another hash for another user", adminHash, twinHash);

            AtomicReference<Distribution.Result> twin = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                twin.set(natgw.client("twin", PASSWORD, "natgw:status --no-format"));
                return twin.get().exit() == 0;
            });
            assertTrue(twin.get().output(), twin.get().output().contains("dev.natgw.core"));
            // jaas:update rewrote users.properties: admin's line must still let admin in
            assertEquals("admin's hash survives the rewrite", adminHash, storedHash(Files.readString(users), "admin"));
            Distribution.Result admin = natgw.client("admin", PASSWORD, "natgw:status --no-format");
            assertEquals("admin logs in after jaas:update:\n" + admin.output(), 0, admin.exit());
            Distribution.Result wrong = natgw.client("admin", PASSWORD + "x", "natgw:status");
            assertNotEquals("a wrong password must not log in:\n" + wrong.output(), 0, wrong.exit());
            Distribution.Result retired = natgw.client("olduser", PASSWORD, "natgw:status");
            assertNotEquals("a retired user must not log in:\n" + retired.output(), 0, retired.exit());

            // a configuration the running Karaf writes into etc/ is private too (the JVM's umask)
            Distribution.Result set = natgw.client("admin", PASSWORD,
                    "config:property-set -p dev.natgw.itest.secrets marker 1");
            assertEquals(set.output(), 0, set.exit());
            Path written = natgw.home.resolve("etc/dev.natgw.itest.secrets.cfg");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.isRegularFile(written));
            Path log = natgw.home.resolve("data/log/karaf.log");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.isRegularFile(log));

            List<Path> checked = new ArrayList<>();
            for (String dir : List.of("etc", "data/log")) {
                try (Stream<Path> files = Files.walk(natgw.home.resolve(dir))) {
                    checked.addAll(files.toList());
                }
            }
            assertTrue(checked.toString(), checked.contains(users));
            assertTrue(checked.toString(), checked.contains(written));
            assertTrue(checked.toString(), checked.contains(log));
            assertTrue(checked.toString(), checked.contains(jaas));
            List<String> open = new ArrayList<>();
            for (Path p : checked) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
                    open.add(natgw.home.relativize(p) + " " + PosixFilePermissions.toString(perms));
                }
            }
            System.out.println(
                    "natgw secrets: " + checked.size() + " files and folders under etc/ and data/log/ checked");
            assertTrue("readable beyond the appliance's user: " + open, open.isEmpty());
            assertEquals("rwx------", PosixFilePermissions
                    .toString(Files.getPosixFilePermissions(natgw.home.resolve("data"))));
        }
    }

    /**
     * The stored hash of a user, checked to be Karaf's salted form (8 bytes of salt and a SHA-512), or null when the
     * user has no line yet.
     */
    private static String storedHash(String users, String user) {
        Matcher line = Pattern.compile("(?m)^" + user + "\\s*=\\s*([^,\\s]+)").matcher(users);
        if (!line.find()) {
            return null;
        }
        Matcher salted = SALTED.matcher(line.group(1));
        assertTrue(user + "'s hash is not Karaf's salted form: " + line.group(1), salted.matches());
        assertEquals(line.group(1), 8 + 64, Base64.getDecoder().decode(salted.group(1)).length);
        return line.group(1);
    }
}
