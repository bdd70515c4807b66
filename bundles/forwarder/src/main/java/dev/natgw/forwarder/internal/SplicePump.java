package dev.natgw.forwarder.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntConsumer;

/**
 * Moves one relay direction socket to socket through a pipe of its own with splice(2): the bytes never enter the
 * process (with SPLICE_F_MOVE the kernel hands the socket's pages to the pipe and from it to the other socket), and a
 * chunk costs two system calls. At most one pipe's worth of bytes (its size: relay.buffer rounded up to pages) is
 * between the sockets at any time, so a peer that stops reading stops the other side's reads here, as with a copy.
 * Waits in poll(2), which blocks its thread: it runs on a platform thread of its own, never on a virtual thread.
 *
 * <p>
 * Confined to the thread that made it: the pipe, its errno and poll segments live in a confined arena, so a chunk
 * allocates nothing. {@link #close} closes the pipe (with the bytes still in it, if any: only after an error).
 */
final class SplicePump implements AutoCloseable {

    /** How a run ended: the source's end of stream with every byte passed on, or idle with the pipe empty. */
    enum Outcome {
        END, IDLE
    }

    /** The default pipe size on Linux, which needs no F_SETPIPE_SZ. */
    static final int DEFAULT_PIPE = 65536;
    /** How long a wait for the destination to take bytes lasts before it is retried (a close wakes it earlier). */
    private static final int WRITE_WAIT_MILLIS = 1000;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment state;
    private final MemorySegment pollfd;
    private final int pipeRead;
    private final int pipeWrite;
    private final long chunk;

    /**
     * Opens the pipe, sized for size bytes where the kernel allows it (else its default).
     *
     * @throws IOException when no pipe can be opened (descriptors exhausted)
     */
    SplicePump(int size) throws IOException {
        state = LinuxCalls.errnoState(arena);
        pollfd = arena.allocate(8, 4);
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        if (LinuxCalls.pipe2(state, fds, LinuxCalls.O_CLOEXEC | LinuxCalls.O_NONBLOCK) != 0) {
            int errno = LinuxCalls.errno(state);
            arena.close();
            throw new IOException("pipe2 failed: errno " + errno);
        }
        pipeRead = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
        pipeWrite = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        int capacity = DEFAULT_PIPE;
        if (size != DEFAULT_PIPE) {
            // beyond the user's pipe quota (fs.pipe-user-pages-soft) the kernel refuses: the default size then
            int set = LinuxCalls.fcntl(state, pipeWrite, LinuxCalls.F_SETPIPE_SZ, size);
            if (set > 0) {
                capacity = set;
            }
        }
        chunk = capacity;
    }

    /**
     * Moves bytes from in to out until in's end of stream (END: every byte read was written), or until in has been
     * silent for idleMillis with the pipe empty (IDLE: the caller may go on another way, nothing is held here).
     *
     * @param moved told of every chunk written to out
     * @throws IOException on an error of either socket (reset, shut down under the pump), with bytes possibly lost
     */
    Outcome run(int in, int out, IntConsumer moved, int idleMillis) throws IOException {
        long inPipe = 0;
        boolean eof = false;

        int flags = LinuxCalls.SPLICE_F_MOVE | LinuxCalls.SPLICE_F_NONBLOCK;
        while (true) {
            if (inPipe == 0) {
                if (eof) {
                    return Outcome.END;
                }
                long n = LinuxCalls.splice(state, in, pipeWrite, chunk, flags);
                if (n > 0) {
                    inPipe = n;
                } else if (n == 0) {
                    eof = true;
                    continue;
                } else {
                    int errno = LinuxCalls.errno(state);
                    if (errno == LinuxCalls.EINTR) {
                        continue;
                    }
                    if (errno != LinuxCalls.EAGAIN) {
                        throw new IOException("splice from the socket failed: errno " + errno);
                    }
                    if (!await(in, LinuxCalls.POLLIN, idleMillis)) {
                        return Outcome.IDLE;
                    }
                    continue;
                }
            }
            long m = LinuxCalls.splice(state, pipeRead, out, inPipe, flags);
            if (m > 0) {
                inPipe -= m;
                moved.accept((int) m);
            } else if (m == 0) {
                throw new IOException("splice to the socket moved nothing with " + inPipe + " bytes in the pipe");
            } else {
                int errno = LinuxCalls.errno(state);
                if (errno == LinuxCalls.EAGAIN) {
                    // the destination does not take more yet: wait, not spin; a peer that never reads is cut off by
                    // the relay's idle deadline, whose close shuts the socket down and wakes this wait
                    await(out, LinuxCalls.POLLOUT, WRITE_WAIT_MILLIS);
                } else if (errno != LinuxCalls.EINTR) {
                    throw new IOException("splice to the socket failed: errno " + errno);
                }
            }
        }
    }

    /** {@return false if the wait timed out without an event} */
    private boolean await(int fd, short events, int millis) throws IOException {
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, events);
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        int rc = LinuxCalls.poll(state, pollfd, 1, millis);
        if (rc < 0) {
            int errno = LinuxCalls.errno(state);
            if (errno != LinuxCalls.EINTR) {
                throw new IOException("poll failed: errno " + errno);
            }
            return true;
        }
        return rc > 0;
    }

    @Override
    public void close() {
        LinuxCalls.close(state, pipeRead);
        LinuxCalls.close(state, pipeWrite);
        arena.close();
    }
}
