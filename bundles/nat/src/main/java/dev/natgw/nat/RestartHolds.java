package dev.natgw.nat;

import dev.natgw.nat.fastpath.PoolRuntime;
import dev.natgw.nat.internal.HoldDownFile;
import dev.natgw.nat.internal.HoldDownFile.Held;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port hold-down across a restart: when the engine stops, the ports in hold-down and those still in use (their
 * sessions end with the engine, and late packets of them may still come) are written to a file under
 * {@code karaf.data} with the wall-clock time each may serve again; the next clean start reads the file once,
 * deletes it, and holds each port down in the pool that has its address when that pool's runtime is built, for what
 * is left of its hold-down (never more than the hold-down configured now). A start that adopts a hand-over deletes
 * the file instead: the handed-over allocators hold the same ports. Control plane only, under the manager's lock.
 */
final class RestartHolds {
    private static final Logger LOG = LoggerFactory.getLogger(RestartHolds.class);

    private final NatManager m;
    /** The file, or null to keep nothing (no {@code karaf.data}). */
    volatile Path file;
    /** Ports read at the last clean start whose pool has not been built since, by ascending due time. */
    private List<Held> carried = List.of();

    RestartHolds(NatManager m) {
        this.m = m;
        String data = System.getProperty("karaf.data");
        this.file = data == null ? null : Path.of(data, "natgw", "nat-hold-down.bin");
    }

    /** Writes the engine's recent ports, and those carried still unclaimed; while no worker runs the engine. */
    void save() {
        Path f = file;
        if (f == null || m.engine == null || m.poolSlots.slots == null) {
            return;
        }
        long nowNanos = m.stage.clock.getAsLong();
        long nowMillis = System.currentTimeMillis();
        List<Held> ports = new ArrayList<>();
        for (PoolRuntime r : m.poolSlots.slots) {
            if (r != null) {
                r.visitRecent(nowNanos, (proto, address, port, due) -> ports
                        .add(new Held(proto, address, port, nowMillis + (due - nowNanos) / 1_000_000)));
            }
        }
        for (Held h : carried) {
            if (h.dueMillis() > nowMillis) {
                ports.add(h);
            }
        }
        try {
            int n = HoldDownFile.write(f, nowMillis, ports);
            LOG.info("NAT kept {} ports in hold-down for the next start in {}", n, f);
        } catch (IOException e) {
            LOG.warn("NAT could not keep the port hold-down for the next start in {}: {}", f, e.toString());
        }
    }

    /** Reads the file at a clean start, and deletes it. */
    void load() {
        Path f = file;
        carried = List.of();
        if (f == null) {
            return;
        }
        HoldDownFile.Loaded loaded = HoldDownFile.read(f, System.currentTimeMillis());
        if (!loaded.note().isEmpty()) {
            LOG.warn("NAT port hold-down from before the restart: {}", loaded.note());
        } else if (!loaded.ports().isEmpty()) {
            LOG.info("NAT holds {} ports down that were held or in use before the restart", loaded.ports().size());
        }
        carried = loaded.ports();
        delete(f);
    }

    /** At a start that adopted a hand-over: the handed-over allocators hold the ports already. */
    void discard() {
        carried = List.of();
        Path f = file;
        if (f != null) {
            delete(f);
        }
    }

    private static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.warn("NAT could not delete {}: {}", f, e.toString());
        }
    }

    /** Holds the carried ports of a new pool runtime down, before it is published; under the lock. */
    void apply(PoolRuntime r) {
        if (carried.isEmpty()) {
            return;
        }
        long nowNanos = m.stage.clock.getAsLong();
        long nowMillis = System.currentTimeMillis();
        long most = m.settings.holdDown().toNanos();
        List<Held> rest = new ArrayList<>();
        int held = 0;
        for (Held h : carried) {
            int addrIndex = PoolSlots.addressIndex(r.definition(), h.address());
            if (addrIndex < 0) {
                rest.add(h);
                continue;
            }
            long left = Math.min(most, (h.dueMillis() - nowMillis) * 1_000_000);
            if (left > 0 && r.holdFree(h.proto(), addrIndex, h.port(), nowNanos + left)) {
                held++;
            }
        }
        carried = rest;
        if (held > 0) {
            LOG.info("NAT pool {}: {} ports held down from before the restart", r.definition().name(), held);
        }
    }
}
