package dev.natgw.api.state;

import java.time.Instant;
import java.util.Objects;

/**
 * What a keeper holds for one owner, for commands and the console.
 *
 * @param owner the depositor
 * @param layoutVersion the layout version of the memory
 * @param segments the number of segments
 * @param arenas the number of arenas
 * @param bytes the off-heap bytes
 * @param depositedAt when it was deposited
 */
public record DepositInfo(String owner, int layoutVersion, int segments, int arenas, long bytes,
        Instant depositedAt) {
    /** Checks the arguments. */
    public DepositInfo {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(depositedAt, "depositedAt");
    }
}
