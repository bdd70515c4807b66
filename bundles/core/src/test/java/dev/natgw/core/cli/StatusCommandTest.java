package dev.natgw.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.api.registry.RegistryFaceInfo;
import dev.natgw.api.status.ApplianceStatus;
import dev.natgw.api.status.BundleStatus;
import dev.natgw.api.status.DpdkInfo;
import dev.natgw.api.status.JdkInfo;
import dev.natgw.api.status.ServiceStatus;
import dev.natgw.api.status.StatusService;
import dev.natgw.testing.ForwarderServiceAdapter;
import dev.natgw.testing.StdoutCapture;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusCommandTest extends StdoutCapture {

    private static final ApplianceStatus STATUS = new ApplianceStatus("0.1.0.SNAPSHOT",
            Instant.parse("2026-11-21T12:00:00Z"),
            List.of(new BundleStatus(51, "dev.natgw.api", "0.1.0.SNAPSHOT", "ACTIVE", 1L),
                    new BundleStatus(52, "dev.natgw.core", "0.1.0.SNAPSHOT", "RESOLVED", 2L)),
            List.of(new ServiceStatus("dev.natgw.api.status.StatusService", List.of(52L)),
                    new ServiceStatus("dev.natgw.api.nat.NatService", List.of())),
            new JdkInfo("25.0.3+9-LTS", "Eclipse Adoptium", "/usr/lib/jvm/temurin-25", true),
            new DpdkInfo(false, "", List.of(), "install DPDK: apt-get install dpdk"));

    private StatusCommand command() {
        StatusCommand command = new StatusCommand();
        command.statusService = () -> STATUS;
        return command;
    }

    @Test
    void tablesNameEveryBundleServiceJdkAndDpdk() throws Exception {
        StatusCommand command = command();
        command.noFormat = true;

        command.execute();

        String out = printed();
        assertThat(out).contains("natgw 0.1.0.SNAPSHOT")
                .contains("25.0.3+9-LTS")
                .contains("native access enabled")
                .contains("DPDK   not found; install DPDK")
                .containsPattern("51\\s+dev.natgw.api\\s+0.1.0.SNAPSHOT\\s+ACTIVE")
                .containsPattern("52\\s+dev.natgw.core\\s+0.1.0.SNAPSHOT\\s+RESOLVED")
                .containsPattern("StatusService\\s+up\\s+52")
                .containsPattern("NatService\\s+down");
    }

    @Test
    void theForwardersCertificateFingerprintIsShownWhenItRuns() throws Exception {
        String fingerprint = "sha256:" + "ef".repeat(32);
        StatusCommand command = command();
        command.forwarder = new ForwarderServiceAdapter() {
            @Override
            public ForwarderInfo info() {
                return new ForwarderInfo(ForwarderState.LISTENING, new InetSocketAddress("198.19.0.1", 7000), true,
                        null, Instant.parse("2026-11-21T12:00:00Z"), fingerprint);
            }
        };
        command.noFormat = true;
        command.execute();
        assertThat(printed()).contains("Forwarder LISTENING on 198.19.0.1:7000, TLS, certificate " + fingerprint);

        StatusCommand json = command();
        json.forwarder = command.forwarder;
        json.json = true;
        json.execute();
        String out = printed();
        JsonNode f = new ObjectMapper().readTree(out.substring(out.lastIndexOf("{\n  \"version\""))).get("forwarder");
        assertThat(f.get("fingerprint").asText()).isEqualTo(fingerprint);
        assertThat(f.get("tls").asBoolean()).isTrue();
        assertThat(f.get("listen").asText()).isEqualTo("198.19.0.1:7000");
    }

    @Test
    void theRegistryFacesCertificateFingerprintIsShownWhenItServesHttps() throws Exception {
        String fingerprint = "sha256:" + "9c".repeat(32);
        RegistryFaceInfo https = new RegistryFaceInfo(List.of("127.0.0.1", "198.19.0.1"), true, true, 8443,
                fingerprint, true);
        StatusCommand command = command();
        command.registryFace = () -> https;
        command.noFormat = true;
        command.execute();
        assertThat(printed()).contains("Registry face HTTPS on 127.0.0.1,198.19.0.1 port 8443, certificate "
                + fingerprint + " (generated)");

        StatusCommand json = command();
        json.registryFace = command.registryFace;
        json.json = true;
        json.execute();
        String out = printed();
        JsonNode f = new ObjectMapper().readTree(out.substring(out.lastIndexOf("{\n  \"version\""))).get(
                "registryFace");
        assertThat(f.get("fingerprint").asText()).isEqualTo(fingerprint);
        assertThat(f.get("https").asBoolean()).isTrue();
        assertThat(f.get("httpsPort").asInt()).isEqualTo(8443);
        assertThat(f.get("generated").asBoolean()).isTrue();
        assertThat(f.get("addresses").get(1).asText()).isEqualTo("198.19.0.1");

        assertThat(new RegistryFaceInfo(List.of("127.0.0.1"), false, false, 0, null, false).describe())
                .isEqualTo("plain HTTP on 127.0.0.1, loopback only");
        assertThat(new RegistryFaceInfo(List.of("0.0.0.0"), true, false, 0, null, false).describe())
                .contains("refused beyond loopback");
    }

    @Test
    void jsonIsOneDocumentWithDerivedFlags() throws Exception {
        StatusCommand command = command();
        command.json = true;

        command.execute();

        JsonNode root = new ObjectMapper().readTree(printed());
        assertThat(root.get("version").asText()).isEqualTo("0.1.0.SNAPSHOT");
        assertThat(root.get("taken").asText()).isEqualTo("2026-11-21T12:00:00Z");
        assertThat(root.get("bundles")).hasSize(2);
        assertThat(root.get("bundles").get(0).get("active").asBoolean()).isTrue();
        assertThat(root.get("bundles").get(1).get("active").asBoolean()).isFalse();
        assertThat(root.get("services").get(0).get("name").asText()).isEqualTo("StatusService");
        assertThat(root.get("services").get(0).get("up").asBoolean()).isTrue();
        assertThat(root.get("services").get(1).get("up").asBoolean()).isFalse();
        assertThat(root.get("jdk").get("nativeAccess").asBoolean()).isTrue();
        assertThat(root.get("dpdk").get("found").asBoolean()).isFalse();
    }
}
