package dev.natgw.tools;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opens {@code count} concurrent TCP connections to an echo server, checks each with a round trip, holds them all idle
 * for a while, checks each again, and closes them all gracefully (FIN both ways). Each of the three phases (open,
 * check after hold, close) must finish within the timeout; at most {@code concurrency} connections are being opened,
 * checked or closed at once, and opening can be paced to {@code openRate} per second.
 */
final class HoldLoad {

    /** Bytes of each check: the connection's index, the phase and a per-run salt, so a stale echo cannot pass. */
    static final int PROBE = 16;

    record Settings(InetSocketAddress target, int count, int holdSeconds, int timeoutSeconds, int concurrency,
            int openRate) {
    }

    record Result(String target, int requested, long opened, long failed, long verified, long lostDuringHold,
            long closeErrors, long openMs, long verifyMs, long closeMs, int holdSeconds, Tally errors) {

        String json() {
            return new Json().put("mode", "hold").put("target", target).put("requested", requested).put("opened",
                    opened).put("failed", failed).put("verified", verified).put("lostDuringHold", lostDuringHold)
                    .put("closeErrors", closeErrors).put("openMs", openMs).put("verifyMs", verifyMs).put("closeMs",
                            closeMs)
                    .put("holdSeconds", holdSeconds).put("errors", errors.snapshot()).toString();
        }

        /** Every connection opened, passed both checks and closed cleanly. */
        boolean clean() {
            return verified == requested && closeErrors == 0;
        }
    }

    private final Settings settings;
    private final long salt = ThreadLocalRandom.current().nextLong();
    private final Socket[] sockets;
    private final Tally errors = new Tally();
    // the deadline of the phase running now: set before its tasks start, read by them
    private volatile Deadline deadline;

    HoldLoad(Settings settings) {
        this.settings = settings;
        this.sockets = new Socket[settings.count()];
    }

    Result run() throws InterruptedException {
        LongAdder opened = new LongAdder();
        long t0 = System.nanoTime();
        forEach("open", settings.openRate(), i -> {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(settings.target(), deadline.remainingMillis());
                check(socket, i, 1, deadline);
                sockets[i] = socket;
                opened.increment();
            } catch (IOException e) {
                errors.add("open", e);
                closeQuietly(socket);
            }
        });
        long t1 = System.nanoTime();

        Thread.sleep(TimeUnit.SECONDS.toMillis(settings.holdSeconds()));

        LongAdder verified = new LongAdder();
        long t2 = System.nanoTime();
        forEach("after hold", 0, i -> {
            try {
                check(sockets[i], i, 2, deadline);
                verified.increment();
            } catch (IOException e) {
                errors.add("after hold", e);
                closeQuietly(sockets[i]);
                sockets[i] = null;
            }
        });
        long t3 = System.nanoTime();

        LongAdder closeErrors = new LongAdder();
        forEach("close", 0, i -> {
            if (!closeGracefully(sockets[i], deadline)) {
                closeErrors.increment();
            }
            sockets[i] = null;
        });
        // what the close phase had no time for
        for (int i = 0; i < sockets.length; i++) {
            if (sockets[i] != null) {
                closeErrors.increment();
                closeQuietly(sockets[i]);
                sockets[i] = null;
            }
        }
        long t4 = System.nanoTime();

        long failed = settings.count() - opened.sum();
        return new Result(settings.target().getAddress().getHostAddress() + ":" + settings.target().getPort(),
                settings.count(), opened.sum(), failed, verified.sum(), opened.sum() - verified.sum(), closeErrors
                        .sum(),
                millis(t1 - t0), millis(t3 - t2), millis(t4 - t3), settings.holdSeconds(), errors);
    }

    /**
     * Runs {@code task} on virtual threads for every connection index (in the open phase) or every open connection
     * (later), at most {@code concurrency} at once, paced to {@code rate} starts per second if positive, and returns
     * when all have finished. The phase's deadline is set before its tasks start; indices whose turn has not come by
     * then are counted as timed out and not run.
     */
    private void forEach(String phase, int rate, Task task) throws InterruptedException {
        boolean all = phase.equals("open");
        deadline = Deadline.in(settings.timeoutSeconds(), TimeUnit.SECONDS);
        Semaphore running = new Semaphore(settings.concurrency());
        long start = System.nanoTime();
        int started = 0;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < sockets.length; i++) {
                if (!all && sockets[i] == null) {
                    continue;
                }
                if (rate > 0) {
                    long due = start + started * 1_000_000_000L / rate - System.nanoTime();
                    if (due > 0) {
                        TimeUnit.NANOSECONDS.sleep(due);
                    }
                }
                if (!running.tryAcquire(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS)) {
                    for (int j = i; j < sockets.length; j++) {
                        if (all || sockets[j] != null) {
                            errors.add(phase + ": timed out before its turn");
                        }
                    }
                    break;
                }
                started++;
                int index = i;
                executor.execute(() -> {
                    try {
                        task.run(index);
                    } finally {
                        running.release();
                    }
                });
            }
        }
    }

    /** The work of one phase for connection index {@code i}; it counts its own failures. */
    private interface Task {
        void run(int i);
    }

    private void check(Socket socket, int index, int phase, Deadline until) throws IOException {
        socket.setSoTimeout(until.remainingMillis());
        byte[] probe = ByteBuffer.allocate(PROBE).putInt(index).putInt(phase).putLong(salt).array();
        OutputStream out = socket.getOutputStream();
        out.write(probe);
        byte[] back = socket.getInputStream().readNBytes(PROBE);
        if (back.length < PROBE) {
            throw new EOFException();
        }
        if (!Arrays.equals(probe, back)) {
            throw new IOException("echo mismatch");
        }
    }

    /** FIN to the server, then its FIN back (end of stream, nothing else) before the deadline. */
    private boolean closeGracefully(Socket socket, Deadline until) {
        try (socket) {
            socket.shutdownOutput();
            socket.setSoTimeout(until.remainingMillis());
            InputStream in = socket.getInputStream();
            if (in.read() != -1) {
                errors.add("close: data instead of end of stream");
                return false;
            }
            return true;
        } catch (IOException e) {
            errors.add("close", e);
            return false;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
