package dev.natgw.api.state;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Off-heap state handed from one bundle revision to the next. Everything in it is a JDK type or an
 * exported API type, so it stays usable after the depositing revision's class loader is gone.
 *
 * <p>
 * Ownership: once deposited, the keeper owns the arenas; whoever claims the deposit owns them after
 * that and must close them (or deposit them again). Nobody else closes them.
 *
 * @param owner who deposited it and may claim it, for example {@code "nat"}
 * @param layoutVersion the version of the memory layout, checked by the claimer
 * @param descriptor small facts the claimer checks and reads (sizes, seeds, configuration), values
 *        JDK or API types; copied
 * @param segments the memory by name; copied
 * @param arenas the arenas that own the segments; copied
 */
public record StateDeposit(String owner, int layoutVersion, Map<String, Object> descriptor,
        Map<String, MemorySegment> segments, List<Arena> arenas) {
    /** Checks and copies the arguments. */
    public StateDeposit {
        Objects.requireNonNull(owner, "owner");
        if (owner.isBlank()) {
            throw new IllegalArgumentException("owner must not be blank");
        }
        descriptor = Map.copyOf(descriptor);
        segments = Map.copyOf(segments);
        arenas = List.copyOf(arenas);
    }

    /** {@return the off-heap bytes of the segments} */
    public long bytes() {
        long n = 0;
        for (MemorySegment m : segments.values()) {
            n += m.byteSize();
        }
        return n;
    }

    /**
     * Closes every arena that is still open; for a deposit nobody will adopt.
     *
     * @return the number of arenas closed
     */
    public int close() {
        int n = 0;
        for (Arena a : arenas) {
            if (a.scope().isAlive()) {
                a.close();
                n++;
            }
        }
        return n;
    }
}
