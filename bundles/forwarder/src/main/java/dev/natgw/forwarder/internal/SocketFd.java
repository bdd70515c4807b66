package dev.natgw.forwarder.internal;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;

/**
 * A descriptor of the forwarder's own for a connected TCP socket that the JDK opened: a duplicate (fcntl
 * F_DUPFD_CLOEXEC) of the JDK's descriptor, found without any JDK internals by the socket's two addresses: the
 * process's descriptors (/proc/self/fd) are tried with getpeername and getsockname, and the duplicate is checked again,
 * so a descriptor closed and reused between the search and the duplication is never taken. The duplicate belongs to
 * the relay, not the JDK: closing the JDK socket leaves it valid (the connection itself stays open until both are
 * closed, which is why {@link Conn#close} shuts it down), and it is closed only once no pump uses it, so its number is
 * never reused under a running splice.
 *
 * <p>
 * Thread-safe: {@link #shutdown} and {@link #close} may race; after close, shutdown does nothing.
 */
final class SocketFd {
    private int fd;

    private SocketFd(int fd) {
        this.fd = fd;
    }

    /** {@return the descriptor, valid until close; only for the relay that owns this} */
    synchronized int fd() {
        return fd;
    }

    /** Shuts the socket down both ways (the peer reads end of stream, a blocked splice or poll wakes). Never throws. */
    synchronized void shutdown() {
        if (fd >= 0) {
            try (Arena arena = Arena.ofConfined()) {
                LinuxCalls.shutdown(LinuxCalls.errnoState(arena), fd, LinuxCalls.SHUT_RDWR);
            }
        }
    }

    /** Closes the duplicate; idempotent, never throws. */
    synchronized void close() {
        if (fd >= 0) {
            try (Arena arena = Arena.ofConfined()) {
                LinuxCalls.close(LinuxCalls.errnoState(arena), fd);
            }
            fd = -1;
        }
    }

    /**
     * {@return a duplicate of the descriptor of this connected socket, or null if none is found (not Linux, the calls
     * not bound, the socket closed meanwhile)}
     */
    static SocketFd of(Socket socket) {
        if (!LinuxCalls.AVAILABLE || !socket.isConnected() || socket.isClosed()) {
            return null;
        }
        InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        String[] names = new File("/proc/self/fd").list();
        if (local == null || remote == null || names == null) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LinuxCalls.errnoState(arena);
            MemorySegment address = arena.allocate(LinuxCalls.SOCKADDR_SIZE);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            for (String name : names) {
                int candidate;
                try {
                    candidate = Integer.parseInt(name);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (!matches(state, candidate, address, len, local, remote)) {
                    continue;
                }
                int dup = LinuxCalls.fcntl(state, candidate, LinuxCalls.F_DUPFD_CLOEXEC, 0);
                if (dup < 0) {
                    continue;
                }
                // the candidate may have been closed and its number reused between the check and the duplication:
                // the duplicate is checked again
                if (matches(state, dup, address, len, local, remote)) {
                    return new SocketFd(dup);
                }
                LinuxCalls.close(state, dup);
            }
        }
        return null;
    }

    private static boolean matches(MemorySegment state, int fd, MemorySegment address, MemorySegment len,
            InetSocketAddress local, InetSocketAddress remote) {
        return name(state, fd, address, len, true, remote) && name(state, fd, address, len, false, local);
    }

    /** {@return whether fd's peer (or local) address is expected} */
    private static boolean name(MemorySegment state, int fd, MemorySegment address, MemorySegment len, boolean peer,
            InetSocketAddress expected) {
        len.set(ValueLayout.JAVA_INT, 0, LinuxCalls.SOCKADDR_SIZE);
        int rc = peer
                ? LinuxCalls.getpeername(state, fd, address, len)
                : LinuxCalls.getsockname(state, fd, address, len);
        if (rc != 0) {
            return false;
        }
        int family = Short.toUnsignedInt(address.get(ValueLayout.JAVA_SHORT, 0));
        int port = Short.toUnsignedInt(Short.reverseBytes(address.get(ValueLayout.JAVA_SHORT, 2)));
        if (port != expected.getPort()) {
            return false;
        }
        byte[] bytes;
        if (family == LinuxCalls.AF_INET) {
            bytes = address.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
        } else if (family == LinuxCalls.AF_INET6) {
            bytes = address.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
        } else {
            return false;
        }
        try {
            // an IPv4-mapped IPv6 address comes back as the IPv4 address, as the JDK reports it
            return InetAddress.getByAddress(bytes).equals(expected.getAddress());
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
