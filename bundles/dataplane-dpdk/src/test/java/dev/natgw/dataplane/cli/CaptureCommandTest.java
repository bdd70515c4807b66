package dev.natgw.dataplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dp:capture writes under natgw's data directory only, whatever name a shell user gives it. */
class CaptureCommandTest {
    @TempDir
    Path root;

    @Test
    void aRelativeNameLandsUnderData() throws IOException {
        Path data = Files.createDirectories(root.resolve("data"));
        assertThat(CaptureCommand.underData(data, "capture/out.pcap")).isEqualTo(data.resolve("capture/out.pcap"));
        assertThat(CaptureCommand.underData(data, data.resolve("x.pcap").toString())).isEqualTo(data.resolve(
                "x.pcap"));
    }

    @Test
    void aPathOutOfDataIsRefused() throws IOException {
        Path data = Files.createDirectories(root.resolve("data"));
        Path etc = Files.createDirectories(root.resolve("etc"));
        for (String name : new String[]{"../etc/users.properties", etc.resolve("users.properties").toString(),
                "/etc/passwd", "capture/../../etc/x.pcap", ".", ""}) {
            assertThatThrownBy(() -> CaptureCommand.underData(data, name)).as(name)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writes only under");
        }
    }

    @Test
    void aSymbolicLinkOutOfDataIsRefused() throws IOException {
        Path data = Files.createDirectories(root.resolve("data"));
        Path etc = Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(data.resolve("escape"), etc);
        Files.createSymbolicLink(data.resolve("passwd.pcap"), etc.resolve("passwd"));
        assertThatThrownBy(() -> CaptureCommand.underData(data, "escape/users.properties"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CaptureCommand.underData(data, "passwd.pcap"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
