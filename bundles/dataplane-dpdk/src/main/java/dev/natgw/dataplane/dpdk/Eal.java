package dev.natgw.dataplane.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * DPDK's Environment Abstraction Layer, initialised once per JVM and never cleaned up: a second
 * {@code rte_eal_init} fails with EALREADY, and DPDK calls after {@code rte_eal_cleanup} crash the
 * process. A bundle revision that finds EAL already up (EALREADY) uses it as it is.
 */
public final class Eal {
    private static final int EALREADY = 114;
    private static volatile String state;

    private Eal() {
    }

    /**
     * Initialises EAL with these arguments unless it is up already. {@code rte_eal_init} pins the thread
     * that calls it, and threads that thread creates inherit the pin, so it runs on a dedicated platform
     * thread that ends afterwards.
     *
     * @param args the EAL arguments, without the program name
     * @return "initialised" or "already up"
     * @throws IllegalStateException if EAL fails, with DPDK's reason
     */
    public static synchronized String ensure(List<String> args) {
        if (state != null) {
            return "already up";
        }
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("natgw-eal-init").daemon(true).unstarted(() -> {
            try (Arena arena = Arena.ofConfined()) {
                List<String> argv = new ArrayList<>();
                argv.add("natgw");
                argv.addAll(args);
                MemorySegment array = arena.allocate(ValueLayout.ADDRESS, argv.size() + 1L);
                for (int i = 0; i < argv.size(); i++) {
                    array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(argv.get(i)));
                }
                int rc = (int) Dpdk.EAL_INIT.invokeExact(argv.size(), array);
                result.set(rc >= 0 ? "initialised" : (Object) Integer.valueOf(Dpdk.errno()));
            } catch (Throwable e) {
                result.set(e);
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while EAL initialises");
        }
        Object r = result.get();
        if (r instanceof Throwable e) {
            throw new IllegalStateException("rte_eal_init failed: " + e, e);
        }
        if (r instanceof Integer errno) {
            if (errno == EALREADY) {
                state = "already up";
                return state;
            }
            throw new IllegalStateException("rte_eal_init failed: " + Dpdk.strerror(errno) + " with arguments "
                    + args + "; EAL cannot be initialised again in this JVM, restart natgw");
        }
        state = (String) r;
        return state;
    }
}
