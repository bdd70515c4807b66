package dev.natgw.tester;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The machine-wide lock the namespace tests and benchmarks of every checkout share: {@code flock(1)} on
 * /work/stress/ns.lock (or NATGW_NS_LOCK), held by a child process until {@link #close}. Java's own file locks are
 * fcntl locks, which flock(1) does not see.
 */
final class NamespaceLock implements AutoCloseable {
    private final Process holder;

    private NamespaceLock(Process holder) {
        this.holder = holder;
    }

    /** Waits (at most five minutes) for the lock. */
    static NamespaceLock take() throws IOException, InterruptedException {
        String file = System.getenv().getOrDefault("NATGW_NS_LOCK", "/work/stress/ns.lock");
        Process p = new ProcessBuilder("flock", "-w", "300", file, "sh", "-c", "echo locked; read ignored")
                .redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (!"locked".equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException("cannot take " + file + ": " + line);
        }
        return new NamespaceLock(p);
    }

    @Override
    public void close() throws IOException {
        holder.getOutputStream().close();
        try {
            if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        } catch (InterruptedException e) {
            holder.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** {@return whether the lock is still held} */
    boolean held() {
        return holder.isAlive();
    }
}
