package dev.natgw.forwarder.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The Linux calls of the splice path, bound through FFM: splice, pipe2, poll, fcntl, shutdown, close, getsockname and
 * getpeername. Each call takes the caller's errno segment ({@link #errnoState}), so a thread that owns one calls
 * without allocating. Where they cannot be bound (not Linux, native access denied) {@link #AVAILABLE} is false and
 * relays copy instead. Stateless; thread-safe.
 */
final class LinuxCalls {
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int SPLICE_F_MOVE = 1;
    static final int SPLICE_F_NONBLOCK = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int F_SETPIPE_SZ = 1031;
    static final int SHUT_WR = 1;
    static final int SHUT_RDWR = 2;
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /** Room for a sockaddr_in6 (28 bytes) with margin. */
    static final int SOCKADDR_SIZE = 64;

    static final boolean AVAILABLE;
    /** Why the calls are not available, or null. */
    static final String UNAVAILABLE;

    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SPLICE;
    private static final MethodHandle PIPE2;
    private static final MethodHandle POLL;
    private static final MethodHandle FCNTL;
    private static final MethodHandle SHUTDOWN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle GETSOCKNAME;
    private static final MethodHandle GETPEERNAME;

    static {
        MethodHandle splice = null;
        MethodHandle pipe2 = null;
        MethodHandle poll = null;
        MethodHandle fcntl = null;
        MethodHandle shutdown = null;
        MethodHandle close = null;
        MethodHandle getsockname = null;
        MethodHandle getpeername = null;
        String why = null;
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            why = "not Linux";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                ValueLayout i = ValueLayout.JAVA_INT;
                ValueLayout l = ValueLayout.JAVA_LONG;
                ValueLayout a = ValueLayout.ADDRESS;
                splice = linker.downcallHandle(libc.find("splice").orElseThrow(), FunctionDescriptor.of(l, i, a, i, a,
                        l, i), errno);
                pipe2 = linker.downcallHandle(libc.find("pipe2").orElseThrow(), FunctionDescriptor.of(i, a, i), errno);
                poll = linker.downcallHandle(libc.find("poll").orElseThrow(), FunctionDescriptor.of(i, a, l, i), errno);
                // fcntl is variadic: its third argument (an int for the commands used here) is the first variadic one
                fcntl = linker.downcallHandle(libc.find("fcntl").orElseThrow(), FunctionDescriptor.of(i, i, i, i),
                        errno, Linker.Option.firstVariadicArg(2));
                shutdown = linker.downcallHandle(libc.find("shutdown").orElseThrow(), FunctionDescriptor.of(i, i, i),
                        errno);
                close = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(i, i), errno);
                getsockname = linker.downcallHandle(libc.find("getsockname").orElseThrow(), FunctionDescriptor.of(i, i,
                        a, a), errno);
                getpeername = linker.downcallHandle(libc.find("getpeername").orElseThrow(), FunctionDescriptor.of(i, i,
                        a, a), errno);
            } catch (RuntimeException | LinkageError e) {
                // IllegalCallerException where native access is denied; a missing symbol elsewhere
                why = e.toString();
            }
        }
        SPLICE = splice;
        PIPE2 = pipe2;
        POLL = poll;
        FCNTL = fcntl;
        SHUTDOWN = shutdown;
        CLOSE = close;
        GETSOCKNAME = getsockname;
        GETPEERNAME = getpeername;
        UNAVAILABLE = why;
        AVAILABLE = why == null;
    }

    private LinuxCalls() {
    }

    /** {@return a segment for the errno of the calls below, from arena} */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(STATE);
    }

    /** {@return the errno the last call through state left} */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static long splice(MemorySegment state, int in, int out, long len, int flags) {
        try {
            return (long) SPLICE.invokeExact(state, in, MemorySegment.NULL, out, MemorySegment.NULL, len, flags);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param fds two ints, filled with the read and the write end */
    static int pipe2(MemorySegment state, MemorySegment fds, int flags) {
        try {
            return (int) PIPE2.invokeExact(state, fds, flags);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param pollfds nfds struct pollfd (int fd, short events, short revents) */
    static int poll(MemorySegment state, MemorySegment pollfds, long nfds, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, pollfds, nfds, timeoutMillis);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static int fcntl(MemorySegment state, int fd, int cmd, int arg) {
        try {
            return (int) FCNTL.invokeExact(state, fd, cmd, arg);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static int shutdown(MemorySegment state, int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(state, fd, how);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param len an int holding the size of address, set to the address's length */
    static int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment len) {
        try {
            return (int) GETSOCKNAME.invokeExact(state, fd, address, len);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param len an int holding the size of address, set to the address's length */
    static int getpeername(MemorySegment state, int fd, MemorySegment address, MemorySegment len) {
        try {
            return (int) GETPEERNAME.invokeExact(state, fd, address, len);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
