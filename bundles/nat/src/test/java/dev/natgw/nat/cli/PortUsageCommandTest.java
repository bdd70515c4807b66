package dev.natgw.nat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.PortUsage;
import dev.natgw.testing.InMemoryNatAdmin;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortUsageCommandTest extends CommandTestSupport {
    private final InMemoryNatAdmin usage = new InMemoryNatAdmin().setPortUsage(List.of(
            new PortUsage("public", Ipv4.parse("198.19.0.1"), 0, 100, 10, 4),
            new PortUsage("public", Ipv4.parse("198.19.0.1"), 1, 100, 30),
            new PortUsage("public", Ipv4.parse("198.19.0.2"), 0, 100, 0),
            new PortUsage("public", Ipv4.parse("198.19.0.2"), 1, 100, 60)));

    private PortUsageCommand command() {
        PortUsageCommand c = new PortUsageCommand();
        c.natService = usage;
        c.pool = "public";
        c.noFormat = true;
        return c;
    }

    @Test
    void sumsPerAddressAndPerWorker() throws Exception {
        command().execute();
        String out = printed();
        // in use, held, free, total, share
        assertThat(out).containsPattern("198\\.19\\.0\\.1\\s+40\\s+4\\s+160\\s+200\\s+20\\.0%");
        assertThat(out).containsPattern("198\\.19\\.0\\.2\\s+60\\s+0\\s+140\\s+200\\s+30\\.0%");
        assertThat(out).containsPattern("(?m)^0\\s+10\\s+4\\s+190\\s+200\\s+5\\.0%");
        assertThat(out).containsPattern("(?m)^1\\s+90\\s+0\\s+110\\s+200\\s+45\\.0%");
    }

    @Test
    void speaksJson() throws Exception {
        PortUsageCommand c = command();
        c.json = true;
        c.execute();
        JsonNode root = new ObjectMapper().readTree(printed());
        assertThat(root.get("pool").asText()).isEqualTo("public");
        assertThat(root.get("usage")).hasSize(4);
        assertThat(root.get("usage").get(1).get("address").asText()).isEqualTo("198.19.0.1");
        assertThat(root.get("usage").get(1).get("portsInUse").asLong()).isEqualTo(30);
        assertThat(root.get("usage").get(0).get("portsHeld").asLong()).isEqualTo(4);
        assertThat(root.get("usage").get(0).get("portsFree").asLong()).isEqualTo(90);
    }

    @Test
    void saysWhenThereIsNothing() throws Exception {
        PortUsageCommand c = command();
        c.pool = "other";
        c.execute();
        assertThat(printed()).contains("no port use for pool other");
    }
}
