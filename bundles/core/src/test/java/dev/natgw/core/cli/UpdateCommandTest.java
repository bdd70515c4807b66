package dev.natgw.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.core.internal.BundleSwap;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpdateCommandTest {

    private static BundleSwap.Report report(long sessionsBefore, long sessionsAfter, Map<String, Long> dropped) {
        return new BundleSwap.Report(31, "dev.natgw.nat", "0.1.0.SNAPSHOT", "0.1.0.hotdeploy1", "31.0", "31.1",
                "file:/tmp/nat.jar", "ab".repeat(32), 42, 57, List.of("dev.natgw.api.nat.NatService"), sessionsBefore,
                sessionsAfter,
                dropped);
    }

    @Test
    void textNamesVersionsRevisionsTimesSessionsAndDrops() {
        Map<String, Long> dropped = new LinkedHashMap<>();
        dropped.put("drop-no-stage", 5L);
        dropped.put("drop-tx-full", 0L);
        dropped.put("drop-stage-error", 2L);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        UpdateCommand.print(report(120, 118, dropped), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("updated dev.natgw.nat [31] from file:/tmp/nat.jar (SHA-256 " + "ab".repeat(32) + ")")
                .containsPattern("version\\s*\\|\\s*0.1.0.SNAPSHOT\\s*\\|\\s*0.1.0.hotdeploy1")
                .containsPattern("revision\\s*\\|\\s*31.0\\s*\\|\\s*31.1")
                .containsPattern("NAT sessions\\s*\\|\\s*120\\s*\\|\\s*118")
                .contains("ACTIVE after 42 ms; services back after 57 ms (dev.natgw.api.nat.NatService)")
                .contains("dataplane drops during the swap: 7 (drop-no-stage 5, drop-stage-error 2)");
    }

    @Test
    void withoutNatOrDataplaneItSaysSo() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        UpdateCommand.print(report(-1, -1, Map.of()), new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(buf.toString(StandardCharsets.UTF_8)).containsPattern("NAT sessions\\s*\\|\\s*no NAT")
                .contains("dataplane drops during the swap: no dataplane");
    }

    @Test
    void jsonCarriesEveryFigureAndNullSessionsWithoutNat() throws Exception {
        ObjectMapper m = new ObjectMapper();
        JsonNode j = m.readTree(m.writeValueAsString(UpdateJson.of(report(-1, -1, Map.of("drop-no-stage", 3L)))));
        assertThat(j.get("symbolicName").asText()).isEqualTo("dev.natgw.nat");
        assertThat(j.get("newRevision").asText()).isEqualTo("31.1");
        assertThat(j.get("sha256").asText()).isEqualTo("ab".repeat(32));
        assertThat(j.get("millisToServices").asLong()).isEqualTo(57);
        assertThat(j.get("sessionsBefore").isNull()).isTrue();
        assertThat(j.get("droppedTotal").asLong()).isEqualTo(3);
        assertThat(j.get("dropped").get("drop-no-stage").asLong()).isEqualTo(3);
    }

    @Test
    void aTimeoutBelowOneSecondIsRefusedByName() {
        UpdateCommand c = new UpdateCommand();
        c.bundle = "dev.natgw.nat";
        c.timeoutSeconds = 0;
        assertThatThrownBy(c::execute).hasMessageContaining("--timeout");
    }

    @Test
    void aDigestThatIsNotSixtyFourHexDigitsIsRefusedBeforeAnyBundleIsLookedUp() {
        UpdateCommand c = new UpdateCommand();
        c.bundle = "dev.natgw.nat";
        c.sha256 = "12ab";
        // no bundle context: the option is refused before the command reaches the framework
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--sha256")
                .hasMessageContaining("64 hex digits");
    }

    @Test
    void theApiBundleIsRefusedWithTheShellCommandsToUseAndWhatTheyCost() {
        String why = BundleSwap.refusal("dev.natgw.api", 12, 40);
        assertThat(why).contains("dev.natgw.api").contains("refreshes all of them")
                .contains("Use bundle:update 12 URL followed by bundle:refresh 12").contains("bundle:update -r 12 URL")
                .contains("dataplane's ports restart").contains("natgw:state");
    }

    @Test
    void theCoreItselfIsRefusedAndOtherNatgwBundlesAreNot() {
        assertThat(BundleSwap.refusal("dev.natgw.core", 40, 40)).contains("cannot replace itself")
                .contains("bundle:update 40 URL");
        assertThat(BundleSwap.refusal("dev.natgw.state", 11, 40)).isNull();
        assertThat(BundleSwap.refusal("dev.natgw.nat", 41, 40)).isNull();
    }
}
