package dev.natgw.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleRevisions;

/**
 * natgw:update's checks against a real Felix framework (the one Karaf runs) and real jars: every refusal leaves the
 * installed bundle exactly as it was, and an accepted jar is installed.
 */
class BundleSwapTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String PROBE = "dev.natgw.probe";

    @TempDir
    Path dir;

    private Framework framework;
    private Bundle target;
    private BundleSwap swap;

    @BeforeEach
    void startFrameworkWithTheProbeBundle() throws Exception {
        framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(
                Map.of(Constants.FRAMEWORK_STORAGE, dir.resolve("cache").toString(), Constants.FRAMEWORK_STORAGE_CLEAN,
                        Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
        target = framework.getBundleContext().installBundle(jar("probe-1.jar", PROBE, "1.0.0").toUri().toString());
        target.start();
        swap = new BundleSwap(framework.getBundleContext());
    }

    @AfterEach
    void stopFramework() throws Exception {
        framework.stop();
        framework.waitForStop(TIMEOUT.toMillis());
    }

    /** A bundle with no code: a manifest and one file that makes each version's bytes differ. */
    private Path jar(String file, String symbolicName, String version) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            a.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
            a.putValue(Constants.BUNDLE_SYMBOLICNAME, symbolicName + ";singleton:=true");
            a.putValue(Constants.BUNDLE_VERSION, version);
        }
        Path p = dir.resolve(file);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(p), m)) {
            out.putNextEntry(new JarEntry("probe.txt"));
            out.write(("probe " + version).getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return p;
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    /** What a refusal must leave alone: state, version, revisions, last modification. */
    private record Snapshot(int state, String version, int revisions, String revision, long lastModified) {
        static Snapshot of(Bundle b) {
            return new Snapshot(b.getState(), b.getVersion().toString(),
                    b.adapt(BundleRevisions.class).getRevisions().size(), BundleSwap.revision(b), b.getLastModified());
        }
    }

    private void assertRefusedAndUnchanged(String source, String sha256, String... messageParts) {
        Snapshot before = Snapshot.of(target);
        assertThatThrownBy(() -> swap.update(target, source, sha256, TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).message().contains(messageParts);
        assertThat(Snapshot.of(target)).isEqualTo(before);
        assertThat(target.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(target.getVersion().toString()).isEqualTo("1.0.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9/probe.jar", "https://127.0.0.1:9/probe.jar",
            "HTTP://127.0.0.1:9/probe.jar", "ftp://127.0.0.1:9/probe.jar", "jar:file:/tmp/x.jar!/",
            "wrap:file:/tmp/x.jar"})
    void aJarFromAnyOtherSchemeThanFileOrMvnIsRefusedNamingTheAllowedOnes(String url) {
        String scheme = url.substring(0, url.indexOf(':')).toLowerCase(Locale.ROOT);
        assertRefusedAndUnchanged(url, null, "file: or mvn: URL or a file path", "not from " + scheme + ":", url);
    }

    @Test
    void aMvnUrlNamingItsOwnRepositoryIsRefused() {
        assertRefusedAndUnchanged("mvn:http://127.0.0.1:9/repo!dev.natgw/natgw-probe/1.0.1", null,
                "names its own repository", "etc/org.ops4j.pax.url.mvn.cfg");
    }

    @Test
    void aJarOfAnotherBundleIsRefusedNamingBoth() throws Exception {
        Path other = jar("other.jar", "dev.natgw.other", "1.0.1");
        assertRefusedAndUnchanged(other.toUri().toString(), null, "is bundle dev.natgw.other, not dev.natgw.probe",
                "nothing was changed");
        // the right digest does not make another bundle's jar acceptable
        assertRefusedAndUnchanged(other.toString(), sha256(other), "dev.natgw.other", "dev.natgw.probe");
    }

    @Test
    void aJarWithAnotherDigestIsRefusedNamingBoth() throws Exception {
        Path next = jar("probe-2.jar", PROBE, "1.0.1");
        String wrong = sha256(jar("probe-3.jar", PROBE, "1.0.2"));
        assertRefusedAndUnchanged(next.toUri().toString(), wrong, "SHA-256", sha256(next), wrong, "--sha256");
        assertRefusedAndUnchanged(next.toString(), wrong.toUpperCase(Locale.ROOT), sha256(next));
    }

    @Test
    void aFileThatIsNoBundleIsRefused() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jar"), "not a jar");
        assertRefusedAndUnchanged(text.toString(), null, "is not a jar");
        Path plain = jar("plain.jar", null, null);
        assertRefusedAndUnchanged(plain.toString(), null, "not an OSGi bundle", "Bundle-SymbolicName");
    }

    @Test
    void aMissingFileIsAnIoErrorAndChangesNothing() {
        Snapshot before = Snapshot.of(target);
        assertThatThrownBy(() -> swap.update(target, dir.resolve("absent.jar").toString(), null, TIMEOUT))
                .isInstanceOf(IOException.class).hasMessageContaining("no such jar");
        assertThat(Snapshot.of(target)).isEqualTo(before);
    }

    @Test
    void theRightJarWithItsDigestIsInstalledAndReported() throws Exception {
        Path next = jar("probe-2.jar", PROBE, "1.0.1");
        String digest = sha256(next);
        BundleSwap.Report r = swap.update(swap.find(PROBE), next.toUri().toString(), digest.toUpperCase(Locale.ROOT),
                TIMEOUT);
        assertThat(target.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(target.getVersion().toString()).isEqualTo("1.0.1");
        assertThat(r.oldVersion()).isEqualTo("1.0.0");
        assertThat(r.newVersion()).isEqualTo("1.0.1");
        assertThat(r.sha256()).isEqualTo(digest);
        assertThat(r.source()).isEqualTo(next.toUri().toString());
        assertThat(r.newRevision()).isNotEqualTo(r.oldRevision());
        assertThat(r.sessionsBefore()).isEqualTo(-1);
        // the location stays: a later natgw:update without a URL re-reads the first jar
        assertThat(target.getLocation()).endsWith("probe-1.jar");
    }

    @Test
    void aPlainPathCountsAsFileAndNoDigestMeansAnyDigest() throws Exception {
        Path next = jar("probe-2.jar", PROBE, "1.0.1");
        BundleSwap.Report r = swap.update(target, next.toString(), null, TIMEOUT);
        assertThat(target.getVersion().toString()).isEqualTo("1.0.1");
        assertThat(r.sha256()).isEqualTo(sha256(next));
    }

    @Test
    void withoutAUrlTheLocationIsReadAndCheckedLikeAnyOther() throws Exception {
        // the location's jar now holds another bundle: re-reading it is refused like an explicit URL would be
        jar("probe-1.jar", "dev.natgw.other", "1.0.1");
        assertRefusedAndUnchanged(null, null, "is bundle dev.natgw.other, not dev.natgw.probe");
        jar("probe-1.jar", PROBE, "1.0.1");
        assertThat(swap.update(target, null, null, TIMEOUT).newVersion()).isEqualTo("1.0.1");
    }

    @Test
    void theDigestOptionMustBeSixtyFourHexDigits() {
        assertThatThrownBy(() -> JarSource.parseSha256("xyz")).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> JarSource.parseSha256("a".repeat(63))).hasMessageContaining("64 hex digits");
        assertThat(JarSource.parseSha256(" " + "0F".repeat(32) + " ")).hasSize(32).containsOnly((byte) 0x0f);
    }

    @Test
    void schemesAreReadCaseBlindAndPathsHaveNone() {
        assertThat(JarSource.scheme("MVN:dev.natgw/natgw-nat/1")).isEqualTo("mvn");
        assertThat(JarSource.scheme("/opt/natgw/nat.jar")).isNull();
        assertThat(JarSource.scheme("nat.jar")).isNull();
        assertThat(JarSource.scheme("C:\\natgw\\nat.jar")).isNull();
    }
}
