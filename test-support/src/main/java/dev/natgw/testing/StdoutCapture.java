package dev.natgw.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the Karaf command tests: captures what a command prints to {@code System.out} during each test (Karaf
 * commands print there) and restores the stream after it. Tests that extend it must not run concurrently with
 * other tests of the same JVM that print (surefire runs a module's classes one after another).
 */
public abstract class StdoutCapture {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private PrintStream saved;

    /** Starts capturing; JUnit calls it before each test. */
    @BeforeEach
    protected void captureStdout() {
        saved = System.out;
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    /** Restores {@code System.out}; JUnit calls it after each test. */
    @AfterEach
    protected void restoreStdout() {
        System.setOut(saved);
    }

    /** {@return what was printed since the test started} */
    protected String printed() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what was printed so far, for a test that runs several commands. */
    protected void clearPrinted() {
        buffer.reset();
    }
}
