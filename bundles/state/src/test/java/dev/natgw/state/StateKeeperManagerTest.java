package dev.natgw.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.natgw.api.state.HandOverRecord;
import dev.natgw.api.state.HandOverRecord.Outcome;
import dev.natgw.api.state.StateDeposit;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateKeeperManagerTest {
    private final StateKeeperManager keeper = new StateKeeperManager(
            Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC));

    private static StateDeposit deposit(String owner, Arena a) {
        MemorySegment m = a.allocate(64);
        m.set(ValueLayout.JAVA_LONG, 0, 42L);
        return new StateDeposit(owner, 2, Map.of("workers", 2), Map.of("table", m), List.of(a));
    }

    @Test
    @SuppressWarnings("MustBeClosedChecker") // the keeper owns each deposited arena and closes it
    void claimReturnsTheSameMemoryOnceAndTheKeeperForgetsIt() {
        Arena a = Arena.ofShared();
        keeper.deposit(deposit("nat", a));
        assertThat(keeper.deposits()).singleElement().satisfies(d -> {
            assertThat(d.owner()).isEqualTo("nat");
            assertThat(d.layoutVersion()).isEqualTo(2);
            assertThat(d.bytes()).isEqualTo(64);
            assertThat(d.arenas()).isEqualTo(1);
            assertThat(d.depositedAt()).isEqualTo(Instant.parse("2026-11-21T10:00:00Z"));
        });
        StateDeposit d = keeper.claim("nat");
        assertThat(d.segments().get("table").get(ValueLayout.JAVA_LONG, 0)).isEqualTo(42L);
        assertThat(d.descriptor()).containsEntry("workers", 2);
        assertThat(keeper.claim("nat")).isNull();
        assertThat(keeper.deposits()).isEmpty();
        keeper.close();
        assertThat(a.scope().isAlive()).as("claimed memory belongs to the claimer").isTrue();
        a.close();
    }

    @Test
    @SuppressWarnings("MustBeClosedChecker") // the keeper owns each deposited arena and closes it
    void stoppingClosesUnclaimedDepositsAndASecondDepositClosesTheFirst() {
        Arena first = Arena.ofShared();
        Arena second = Arena.ofShared();
        Arena other = Arena.ofShared();
        keeper.deposit(deposit("nat", first));
        keeper.deposit(deposit("nat", second));
        assertThat(first.scope().isAlive()).isFalse();
        keeper.deposit(deposit("dataplane", other));
        assertThat(keeper.deposits()).extracting(i -> i.owner()).containsExactly("nat", "dataplane");
        keeper.close();
        assertThat(second.scope().isAlive()).isFalse();
        assertThat(other.scope().isAlive()).isFalse();
        assertThat(keeper.deposits()).isEmpty();
    }

    @Test
    @SuppressWarnings("MustBeClosedChecker") // the keeper owns each deposited arena and closes it
    void historyRemembersHowEachDepositEndedNewestFirstAndIsBounded() {
        keeper.deposit(deposit("nat", Arena.ofShared()));
        keeper.deposit(deposit("nat", Arena.ofShared()));
        Arena kept = Arena.ofShared();
        keeper.deposit(deposit("dataplane", kept));
        keeper.claim("nat").close();
        assertThat(keeper.history()).extracting(HandOverRecord::owner, HandOverRecord::outcome).containsExactly(
                tuple("nat", Outcome.CLAIMED), tuple("nat", Outcome.REPLACED));
        assertThat(keeper.history().getFirst().bytes()).isEqualTo(64);
        assertThat(keeper.history().getFirst().held()).isZero();
        keeper.close();
        assertThat(keeper.history()).extracting(HandOverRecord::owner, HandOverRecord::outcome).startsWith(
                tuple("dataplane", Outcome.CLOSED));
        assertThat(kept.scope().isAlive()).isFalse();
        for (int i = 0; i < StateKeeperManager.HISTORY + 5; i++) {
            keeper.deposit(deposit("nat", Arena.ofShared()));
            keeper.claim("nat").close();
        }
        assertThat(keeper.history()).hasSize(StateKeeperManager.HISTORY)
                .allMatch(h -> h.outcome() == Outcome.CLAIMED);
    }
}
