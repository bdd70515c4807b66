package dev.natgw.nat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.nat.internal.HoldDownFile.Held;
import dev.natgw.nat.internal.HoldDownFile.Loaded;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HoldDownFileTest {
    static final long NOW = 1_800_000_000_000L;

    @TempDir
    Path dir;

    Path file() {
        return dir.resolve("data/natgw/nat-hold-down.bin");
    }

    @Test
    void portsComeBackByDueTimeWithoutThoseWhoseHoldDownEnded() throws IOException {
        Held late = new Held(6, 0xc6130001, 2000, NOW + 30_000);
        Held soon = new Held(17, 0xc6130002, 65535, NOW + 1_000);
        Held over = new Held(1, 0xc6130001, 7, NOW - 1);
        assertThat(HoldDownFile.write(file(), NOW, List.of(late, over, soon))).isEqualTo(3);

        Loaded back = HoldDownFile.read(file(), NOW);
        assertThat(back.note()).isEmpty();
        assertThat(back.ports()).containsExactly(soon, late);
    }

    @Test
    void aMissingFileGivesNothingAndSaysNothing() {
        assertThat(HoldDownFile.read(file(), NOW)).isEqualTo(new Loaded(List.of(), ""));
    }

    @Test
    void aFlippedByteFailsTheCrc() throws IOException {
        HoldDownFile.write(file(), NOW, List.of(new Held(6, 1, 2000, NOW + 5_000)));
        byte[] bytes = Files.readAllBytes(file());
        bytes[21] ^= 1;
        Files.write(file(), bytes);
        Loaded back = HoldDownFile.read(file(), NOW);
        assertThat(back.ports()).isEmpty();
        assertThat(back.note()).contains("ignored, corrupt: its CRC does not match");
    }

    @Test
    void aTruncatedOrForeignFileIsCorrupt() throws IOException {
        HoldDownFile.write(file(), NOW, List.of(new Held(6, 1, 2000, NOW + 5_000)));
        byte[] bytes = Files.readAllBytes(file());
        Files.write(file(), Arrays.copyOf(bytes, 10));
        assertThat(HoldDownFile.read(file(), NOW).note()).contains("corrupt: 10 bytes, shorter than its header");
        Files.writeString(file(), "port 2000 held until tomorrow, trust me");
        assertThat(HoldDownFile.read(file(), NOW).note()).contains("corrupt");
    }

    @Test
    void aFileWhoseEveryHoldDownEndedIsStale() throws IOException {
        HoldDownFile.write(file(), NOW, List.of(new Held(6, 1, 2000, NOW + 30_000)));
        Loaded back = HoldDownFile.read(file(), NOW + 3_600_000);
        assertThat(back.ports()).isEmpty();
        assertThat(back.note()).contains("stale: written 3600 s ago");
    }

    @Test
    void atMostTheBoundIsWrittenKeepingThoseHeldLongest() throws IOException {
        List<Held> many = new ArrayList<>(HoldDownFile.MAX_ENTRIES + 1);
        for (int i = 0; i <= HoldDownFile.MAX_ENTRIES; i++) {
            many.add(new Held(17, i >>> 16, i & 0xffff, NOW + 1_000 + i));
        }
        assertThat(HoldDownFile.write(file(), NOW, many)).isEqualTo(HoldDownFile.MAX_ENTRIES);
        Loaded back = HoldDownFile.read(file(), NOW);
        assertThat(back.ports()).hasSize(HoldDownFile.MAX_ENTRIES);
        assertThat(back.ports().get(0)).as("the one due first was left out").isEqualTo(many.get(1));
        assertThat(Files.size(file())).isEqualTo(20 + 15L * HoldDownFile.MAX_ENTRIES + 4);
    }
}
