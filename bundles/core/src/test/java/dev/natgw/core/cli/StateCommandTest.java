package dev.natgw.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.state.StateDeposit;
import dev.natgw.state.StateKeeperManager;
import dev.natgw.testing.StdoutCapture;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StateCommandTest extends StdoutCapture {
    private final StateKeeperManager keeper = new StateKeeperManager();
    @AfterEach
    void closeKeeper() {
        keeper.close();
    }

    private StateCommand command() {
        StateCommand c = new StateCommand();
        c.keeper = keeper;
        return c;
    }

    @SuppressWarnings("MustBeClosedChecker") // the deposit owns the arena; the keeper closes it
    private static StateDeposit deposit(String owner, long bytes) {
        Arena a = Arena.ofShared();
        return new StateDeposit(owner, 2, Map.of(), Map.of("table", a.allocate(bytes)), List.of(a));
    }

    @Test
    void anEmptyKeeperSaysSo() throws Exception {
        StateCommand c = command();
        c.noFormat = true;
        c.execute();
        assertThat(printed()).contains("Held now: nothing")
                .contains("Hand-overs: none since natgw's core started").doesNotContain("NAT, last hand-over");
    }

    @Test
    void tablesShowWhatIsHeldAndHowEarlierDepositsEnded() throws Exception {
        keeper.deposit(deposit("nat", 4096));
        keeper.claim("nat").close();
        keeper.deposit(deposit("nat", 8192));
        StateCommand c = command();
        c.noFormat = true;
        c.execute();
        String out = printed();
        assertThat(out).contains("Held now (the next revision has not claimed it yet):")
                .containsPattern("nat\\s+2\\s+1\\s+1\\s+8192\\s+\\S+Z\\s+\\d+")
                .contains("Hand-overs, newest first:")
                .containsPattern("nat\\s+2\\s+4096\\s+\\S+Z\\s+\\d+\\s+claimed by the next revision");
    }

    @Test
    void jsonIsOneDocument() throws Exception {
        keeper.deposit(deposit("nat", 4096));
        keeper.deposit(deposit("nat", 1024));
        StateCommand c = command();
        c.json = true;
        c.execute();
        JsonNode root = new ObjectMapper().readTree(printed());
        assertThat(root.get("deposits")).hasSize(1);
        assertThat(root.get("deposits").get(0).get("bytes").asLong()).isEqualTo(1024);
        assertThat(root.get("deposits").get(0).get("heldMillis").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(root.get("history").get(0).get("outcome").asText()).isEqualTo("replaced");
        assertThat(root.get("history").get(0).get("bytes").asLong()).isEqualTo(4096);
        assertThat(root.get("natHandOver").isNull()).isTrue();
    }
}
