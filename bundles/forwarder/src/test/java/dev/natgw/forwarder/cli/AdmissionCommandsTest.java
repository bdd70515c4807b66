package dev.natgw.forwarder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.testing.StdoutCapture;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.protocol.TenantCredential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.console.CommandLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fwd: admission commands against a real forwarder: issue, list, complete, allow, revoke, remove. */
class AdmissionCommandsTest extends StdoutCapture {

    private final RegistryManager registry = Fixture.registry();
    private ForwarderManager fwd;

    @BeforeEach
    void start() {
        fwd = Fixture.forwarder(registry, Map.of("credentials.file", Fixture.tempCredentialsFile(false)));
        captureStdout();
    }

    @AfterEach
    void stop() {
        restoreStdout();
        fwd.deactivate();
        TestRegistry.stop(registry);
    }

    private String run(Action a) throws Exception {
        if (a instanceof AdmissionAction aa) {
            aa.admin = fwd;
            aa.noFormat = true;
        }
        clearPrinted();
        a.execute();
        return printed();
    }

    private String json(AdmissionAction a) throws Exception {
        a.json = true;
        return run(a);
    }

    private List<String> complete(org.apache.karaf.shell.api.console.Completer c) {
        List<String> out = new ArrayList<>();
        c.complete(null, new EmptyLine(), out);
        return out.stream().map(String::strip).toList();
    }

    @Test
    void aTenantIsIssuedListedCompletedAndRemoved() throws Exception {
        TenantAddCommand add = new TenantAddCommand();
        add.name = "acme";
        add.servers = 3;
        add.relays = 30;
        add.rate = "64k";
        String out = run(add);
        String credential = out.lines().filter(l -> l.startsWith(TenantCredential.PREFIX)).findFirst().orElseThrow();
        assertThat(TenantCredential.parse(credential).tenant()).isEqualTo("acme");
        assertThat(out).contains("3 servers, 30 relays, 65536 bytes/s");

        TenantAddCommand second = new TenantAddCommand();
        second.name = "beta";
        JsonNode issued = new ObjectMapper().readTree(json(second));
        assertThat(issued.get("credential").asText()).startsWith(TenantCredential.PREFIX + "beta:");
        assertThat(issued.get("servers").asInt()).isEqualTo(10);

        assertThat(run(new TenantsCommand())).containsPattern("acme\\s+0 / 3\\s+0 / 30\\s+65536").containsPattern(
                "beta\\s+0 / 10\\s+0 / 100\\s+-");
        JsonNode tenants = new ObjectMapper().readTree(json(new TenantsCommand()));
        assertThat(tenants.get(0).get("name").asText()).isEqualTo("acme");
        assertThat(tenants.get(0).get("bytesPerSecond").asLong()).isEqualTo(65536);
        // the credential is never listed
        assertThat(run(new TenantsCommand())).doesNotContain(credential.substring(credential.lastIndexOf(':') + 1));

        TenantNameCompleter names = new TenantNameCompleter();
        names.admin = fwd;
        assertThat(complete(names)).containsExactlyInAnyOrder("acme", "beta");

        TenantRemoveCommand remove = new TenantRemoveCommand();
        remove.admin = fwd;
        remove.name = "beta";
        assertThat(run(remove)).contains("Tenant beta removed.");
        assertThatThrownBy(() -> run(remove)).hasMessageContaining("no tenant beta");
        assertThat(complete(names)).containsExactly("acme");
    }

    @Test
    void keysAreAllowedListedCompletedAndRevoked() throws Exception {
        fwd.addTenant("acme", new dev.natgw.api.forwarder.TenantQuota(1, 1, 0));
        String k1 = Identity.generate().key();
        String k2 = Identity.generate().key();
        AllowCommand allow = new AllowCommand();
        allow.admin = fwd;
        allow.key = k1;
        assertThat(run(allow)).contains("allow-listed");
        allow.key = k2;
        allow.tenant = "acme";
        assertThat(run(allow)).contains("for tenant acme");
        allow.key = "ed25519-nothex";
        assertThatThrownBy(() -> run(allow)).hasMessageContaining("not a key");

        assertThat(run(new AllowedCommand())).containsPattern(k1 + "\\s+-").containsPattern(k2 + "\\s+acme\\s+\\S+"
                + "\\s+no");
        JsonNode keys = new ObjectMapper().readTree(json(new AllowedCommand()));
        assertThat(keys).hasSize(2);
        assertThat(keys.findValuesAsText("key")).containsExactlyInAnyOrder(k1, k2);

        AllowedKeyCompleter allowed = new AllowedKeyCompleter();
        allowed.admin = fwd;
        assertThat(complete(allowed)).containsExactlyInAnyOrder(k1, k2);

        RevokeCommand revoke = new RevokeCommand();
        revoke.admin = fwd;
        revoke.key = k1;
        assertThat(run(revoke)).contains("revoked");
        assertThatThrownBy(() -> run(revoke)).hasMessageContaining("not allow-listed");
        assertThat(complete(allowed)).containsExactly(k2);
    }

    @Test
    void rateTakesSuffixes() {
        assertThat(TenantAddCommand.bytes("1000")).isEqualTo(1000);
        assertThat(TenantAddCommand.bytes("64K")).isEqualTo(65536);
        assertThat(TenantAddCommand.bytes("2m")).isEqualTo(2 << 20);
        assertThat(TenantAddCommand.bytes("1g")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> TenantAddCommand.bytes("fast")).hasMessageContaining("--rate");
    }

    /** A command line with nothing typed yet. */
    private static final class EmptyLine implements CommandLine {
        @Override
        public int getCursorArgumentIndex() {
            return 0;
        }

        @Override
        public String getCursorArgument() {
            return "";
        }

        @Override
        public int getArgumentPosition() {
            return 0;
        }

        @Override
        public String[] getArguments() {
            return new String[]{""};
        }

        @Override
        public int getBufferPosition() {
            return 0;
        }

        @Override
        public String getBuffer() {
            return "";
        }
    }
}
