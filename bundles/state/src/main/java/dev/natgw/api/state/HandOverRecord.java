package dev.natgw.api.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A deposit that has left the keeper, for commands and the console: who deposited how much, and how it ended.
 *
 * @param owner the depositor
 * @param layoutVersion the layout version of the memory
 * @param bytes the off-heap bytes
 * @param depositedAt when it was deposited
 * @param endedAt when it was claimed or closed
 * @param outcome how it ended
 */
public record HandOverRecord(String owner, int layoutVersion, long bytes, Instant depositedAt, Instant endedAt,
        Outcome outcome) {
    /** How a deposit left the keeper. */
    public enum Outcome {
        /** The next revision claimed it (and adopted or refused it: the claimer reports which). */
        CLAIMED,
        /** Its owner deposited again before anyone claimed it; its memory was freed. */
        REPLACED,
        /** The keeper stopped before anyone claimed it; its memory was freed. */
        CLOSED
    }

    /** Checks the arguments. */
    public HandOverRecord {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(depositedAt, "depositedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** {@return how long the keeper held the deposit} */
    public Duration held() {
        return Duration.between(depositedAt, endedAt);
    }
}
