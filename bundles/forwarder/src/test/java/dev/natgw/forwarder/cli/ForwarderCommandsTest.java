package dev.natgw.forwarder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderLoad;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.api.forwarder.RelaySession;
import dev.natgw.testing.StdoutCapture;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.junit.jupiter.api.Test;

/** The fwd: commands print what the ForwarderService returns, as tables and as JSON. */
class ForwarderCommandsTest extends StdoutCapture {

    static final String KEY = "ed25519-" + "ab".repeat(32);
    static final Instant T = Instant.parse("2026-11-21T13:00:00Z");
    static final String FINGERPRINT = "sha256:" + "cd".repeat(32);

    /** A ForwarderService adapter with fixed answers (the real one is tested on sockets elsewhere). */
    static final ForwarderService FIXED = new ForwarderService() {
        @Override
        public ForwarderInfo info() {
            return new ForwarderInfo(ForwarderState.LISTENING, new InetSocketAddress("127.0.0.1", 7000), true,
                    "natgw+tls://127.0.0.1:7000#" + FINGERPRINT, T, FINGERPRINT);
        }

        @Override
        public List<RegisteredServer> servers() {
            return List.of(new RegisteredServer(KEY, new InetSocketAddress("127.0.0.1", 41000), T, T.plusSeconds(10),
                    2, 3));
        }

        @Override
        public List<RelaySession> sessions(int limit) {
            return List.of(new RelaySession(7, KEY, new InetSocketAddress("127.0.0.1", 50000), new InetSocketAddress(
                    "127.0.0.1", 50001), T, 100, 200)).subList(0, Math.min(1, limit));
        }

        @Override
        public ForwarderCounters counters() {
            return new ForwarderCounters(1, 2, 3, 4, 5, 6, 7, 8, 9);
        }

        @Override
        public ForwarderLoad load() {
            return new ForwarderLoad(10, 20000, 1, 10000, 0, 1, 11, 12, 13);
        }
    };

    private String run(ForwarderAction a, boolean json) throws Exception {
        a.forwarder = FIXED;
        a.json = json;
        a.noFormat = true;
        clearPrinted();
        ((Action) a).execute();
        return printed();
    }

    @Test
    void serversAsTableAndJson() throws Exception {
        assertThat(run(new ServersCommand(), false)).contains(KEY).contains("127.0.0.1:41000").containsPattern(
                "\\b2\\s+3\\s*$");
        JsonNode j = new ObjectMapper().readTree(run(new ServersCommand(), true));
        assertThat(j.get(0).get("key").asText()).isEqualTo(KEY);
        assertThat(j.get(0).get("pendingClients").asInt()).isEqualTo(2);
        assertThat(j.get(0).get("lastHeartbeat").asText()).isEqualTo("2026-11-21T13:00:10Z");
    }

    @Test
    void sessionsAsTableAndJson() throws Exception {
        assertThat(run(new SessionsCommand(), false)).containsPattern("7\\s+" + KEY + "\\s+127\\.0\\.0\\.1:50000"
                + "\\s+127\\.0\\.0\\.1:50001\\s+\\S+\\s+100\\s+200");
        JsonNode j = new ObjectMapper().readTree(run(new SessionsCommand(), true));
        assertThat(j.get(0).get("bytesServerToClient").asLong()).isEqualTo(200);
    }

    @Test
    void statsAsTableAndJson() throws Exception {
        String table = run(new StatsCommand(), false);
        assertThat(table).containsPattern("connections\\s+10 / 20000").containsPattern("heartbeats missed\\s+9")
                .contains("natgw+tls://127.0.0.1:7000#" + FINGERPRINT).containsPattern("certificate\\s+"
                        + FINGERPRINT);
        JsonNode j = new ObjectMapper().readTree(run(new StatsCommand(), true));
        assertThat(j.get("state").asText()).isEqualTo("LISTENING");
        assertThat(j.get("fingerprint").asText()).isEqualTo(FINGERPRINT);
        assertThat(j.get("load").get("connectionsRefused").asLong()).isEqualTo(11);
        assertThat(j.get("counters").get("bytesRelayed").asLong()).isEqualTo(7);
    }
}
