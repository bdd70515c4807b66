package dev.natgw.tester;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway under test as far as the tester needs to reach it outside the wire: emptying its connection table
 * between trials (RFC 9693 asks for an empty table before each connection-establishment and capacity trial, and
 * its tear-down rate is the time the gateway takes to delete a full table).
 */
public interface Dut extends AutoCloseable {
    /** {@return a name for the reports} */
    String name();

    /** {@return whether {@link #flush} can empty the table} */
    boolean canFlush();

    /** Deletes every connection; returns when the gateway says it is done. */
    void flush();

    @Override
    default void close() {
    }

    /** A gateway reached by a shell command that flushes its table (Linux: {@code conntrack -F} in its namespace). */
    static Dut command(String name, List<String> flush) {
        return new Dut() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean canFlush() {
                return !flush.isEmpty();
            }

            @Override
            public void flush() {
                if (flush.isEmpty()) {
                    return;
                }
                try {
                    Process p = new ProcessBuilder(flush).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (!p.waitFor(60, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new IllegalStateException("flush command still runs after 60 s: " + flush);
                    }
                    if (p.exitValue() != 0) {
                        throw new IllegalStateException("flush command failed (" + p.exitValue() + "): " + flush);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("cannot run " + flush + ": " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        };
    }
}
