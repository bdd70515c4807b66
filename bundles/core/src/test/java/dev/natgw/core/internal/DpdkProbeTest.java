package dev.natgw.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.status.DpdkInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DpdkProbeTest {

    @TempDir
    Path tmp;

    @Test
    void nothingInstalledSaysWhatToInstall() throws IOException {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Files.createFile(lib.resolve("libc.so.6"));

        DpdkInfo info = new DpdkProbe(List.of(lib, tmp.resolve("missing"))).probe();

        assertThat(info.found()).isFalse();
        assertThat(info.libraries()).isEmpty();
        assertThat(info.hint()).contains("apt-get install").contains("libdpdk-dev");
    }

    @Test
    void runtimeWithPkgConfigGivesTheReleaseVersion() throws IOException {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Files.createFile(lib.resolve("librte_eal.so.23.0"));
        Files.createFile(lib.resolve("librte_eal.so"));
        Files.createFile(lib.resolve("librte_ethdev.so.23"));
        Files.createDirectories(lib.resolve("pkgconfig"));
        Files.writeString(lib.resolve("pkgconfig/libdpdk.pc"), "prefix=/usr\nName: DPDK\nVersion: 22.11.4\n");

        DpdkInfo info = new DpdkProbe(List.of(lib)).probe();

        assertThat(info.found()).isTrue();
        assertThat(info.version()).isEqualTo("22.11.4");
        assertThat(info.libraries()).containsExactly(lib.resolve("librte_eal.so").toString(),
                lib.resolve("librte_ethdev.so.23").toString());
        assertThat(info.hint()).isEmpty();
    }

    @Test
    void runtimeWithoutDevFilesGivesTheAbiAndAsksForTheDevPackage() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Files.createFile(lib.resolve("librte_eal.so.23.0"));
        Files.createFile(lib.resolve("librte_ethdev.so.23.0"));

        DpdkInfo info = new DpdkProbe(List.of(empty, lib)).probe();

        assertThat(info.found()).isTrue();
        assertThat(info.version()).isEqualTo("ABI 23.0");
        assertThat(info.hint()).contains("libdpdk-dev");
    }

    @Test
    void ldSoConfIncludesAreFollowedAndCommentsIgnored() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("ld.so.conf.d"));
        Files.writeString(tmp.resolve("ld.so.conf"), "# comment\ninclude ld.so.conf.d/*.conf\n/opt/one # trailing\n");
        Files.writeString(d.resolve("a.conf"), "/opt/dpdk/lib\n\n");
        Files.writeString(d.resolve("b.conf"), "/usr/local/lib/x86_64-linux-gnu\n");
        Files.writeString(d.resolve("ignored.txt"), "/nope\n");

        assertThat(DpdkProbe.LdSoConf.directories(tmp.resolve("ld.so.conf"))).containsExactly(
                Path.of("/opt/dpdk/lib"), Path.of("/usr/local/lib/x86_64-linux-gnu"), Path.of("/opt/one"));
    }

    @Test
    void extraDirectoriesComeFirst() {
        DpdkProbe probe = DpdkProbe.forSystem("/opt/a: /opt/b");

        assertThat(probe.libraryDirs()).startsWith(Path.of("/opt/a"), Path.of("/opt/b"));
        assertThat(probe.libraryDirs()).contains(Path.of("/usr/lib"));
    }
}
