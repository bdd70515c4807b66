package dev.natgw.dataplane.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/** Pins the calling thread to one CPU with the C library's sched_setaffinity. */
public final class Affinity {
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SET_AFFINITY = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("sched_setaffinity").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS),
            Linker.Option.captureCallState("errno"));

    private Affinity() {
    }

    public static void pin(int cpu) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(128);
            set.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            MemorySegment state = arena.allocate(STATE);
            int rc = (int) SET_AFFINITY.invokeExact(state, 0, 128L, set);
            if (rc != 0) {
                throw new IllegalStateException("cannot pin to CPU " + cpu + ": errno " + (int) ERRNO.get(state, 0L));
            }
        }
    }
}
