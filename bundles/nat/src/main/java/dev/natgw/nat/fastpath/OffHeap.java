package dev.natgw.nat.fastpath;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Consumer;

/**
 * Large off-heap tables on transparent huge pages where the kernel offers them. A session table of a million
 * sessions spans a hundred megabytes that every packet reaches at random; on 4 KiB pages almost every such
 * access also misses the TLB. Memory of 2 MiB and more is therefore mapped anonymously with {@code mmap}, advised
 * {@code MADV_HUGEPAGE} before its first touch, and unmapped when the arena closes; when any of that is not
 * possible the arena allocates it as usual. Control plane only.
 *
 * <p>
 * The arena's cleanup that unmaps is made of JDK method handles only (munmap's downcall handle and
 * {@code MemorySegment.byteSize}), not of a lambda of this class: an arena handed over to the next revision of
 * the bundle must not keep this revision's class loader alive.
 */
final class OffHeap {
    private static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final Consumer<MemorySegment> UNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle madvise = null;
        MethodHandle munmap = null;
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        } catch (RuntimeException | LinkageError e) {
            // not Linux, or native access refused: plain arena memory still works
            mmap = null;
        }
        Consumer<MemorySegment> unmap = null;
        if (mmap != null) {
            try {
                unmap = unmapper(munmap);
            } catch (ReflectiveOperationException | RuntimeException e) {
                mmap = null;
            }
        }
        MMAP = mmap;
        MADVISE = madvise;
        UNMAP = unmap;
    }

    /** {@return segment -> munmap(segment, segment.byteSize()), its result ignored, built of JDK handles only} */
    @SuppressWarnings("unchecked")
    private static Consumer<MemorySegment> unmapper(MethodHandle munmap) throws ReflectiveOperationException {
        MethodHandle byteSize = MethodHandles.publicLookup().findVirtual(MemorySegment.class, "byteSize",
                MethodType.methodType(long.class));
        // (long, MemorySegment) void, then the long computed from the segment
        MethodHandle call = MethodHandles.permuteArguments(MethodHandles.dropReturn(munmap),
                MethodType.methodType(void.class, long.class, MemorySegment.class), 1, 0);
        MethodHandle accept = MethodHandles.foldArguments(call, byteSize)
                .asType(MethodType.methodType(void.class, Object.class));
        return MethodHandleProxies.asInterfaceInstance(Consumer.class, accept);
    }

    private OffHeap() {
    }

    /**
     * Allocates zeroed memory that lives as long as the arena.
     *
     * @param arena the owner
     * @param bytes the size
     * @return the memory, 64-byte aligned at least
     */
    static MemorySegment allocate(Arena arena, long bytes) {
        if (bytes < HUGE || MMAP == null) {
            return arena.allocate(bytes, 64);
        }
        long size = (bytes + HUGE - 1) & -HUGE;
        try {
            MemorySegment at = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (at.address() == -1L) {
                return arena.allocate(bytes, 64);
            }
            int ignored = (int) MADVISE.invokeExact(at, size, MADV_HUGEPAGE);
            return at.reinterpret(size, arena, UNMAP).asSlice(0, bytes);
        } catch (Throwable e) {
            return arena.allocate(bytes, 64);
        }
    }
}
