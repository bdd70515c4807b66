package dev.natgw.core.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of the command tests: what a command prints to {@code System.out} during a test. */
abstract class StdoutCapture {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private PrintStream saved;

    @BeforeEach
    void captureStdout() {
        saved = System.out;
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(saved);
    }

    /** {@return what was printed so far} */
    String printed() {
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
