package dev.natgw.nat;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.dataplane.StageContext;
import dev.natgw.nat.fastpath.NatEngine;
import java.util.function.LongSupplier;

/**
 * The NAT as the dataplane's {@link PacketStage}: {@link #process} and {@link #tick} run on the dataplane workers and
 * hand each burst or tick to the attached engine's worker; {@link #attach} and {@link #detach} run on a control
 * thread and let the {@link NatManager} adopt or deposit the state. The DS component is the manager, which
 * registers the service and delegates each {@code PacketStage} method here: what the stage tells the dataplane
 * belongs in this class (and one delegating line in the manager).
 *
 * <p>
 * Invariants: the packet path reads two volatile fields (engine, clock) and allocates nothing; {@link #live} is
 * null while no engine is attached or once it is detached, and bursts then pass untouched.
 */
final class NatStage implements PacketStage {
    private final NatManager manager;
    /** The engine the workers run, or null; written by the manager under its lock. */
    volatile NatEngine live;
    /** The clock {@link #process} reads; tests drive time by hand with it. */
    volatile LongSupplier clock = System::nanoTime;

    NatStage(NatManager manager) {
        this.manager = manager;
    }

    /** {@return the engine attached now, or null} */
    NatEngine live() {
        return live;
    }

    @Override
    public void attach(StageContext ctx) {
        manager.attachEngine(ctx);
    }

    @Override
    public void process(PacketBurst burst) {
        NatEngine e = live;
        if (e != null) {
            e.worker(burst.workerId()).process(burst, clock.getAsLong());
        }
    }

    @Override
    public void tick(int workerId, long nanoTime) {
        NatEngine e = live;
        if (e != null) {
            e.worker(workerId).tick(nanoTime);
        }
    }

    @Override
    public void detach() {
        manager.detachEngine();
    }
}
