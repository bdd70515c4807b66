package dev.natgw.traversal;

import dev.natgw.traversal.protocol.EndpointSigning;
import dev.natgw.forwarder.FaceServer;
import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests of the CLI in processes of its own share: a registry, its HTTP face and a forwarder announced in it,
 * all on loopback, and the processes a test starts; everything is stopped after each test.
 *
 * <p>A test reads the CLI's output line by line, which blocks while a process says nothing: each test fails after
 * two minutes rather than hanging the suite (the processes end in {@code @AfterEach}).
 */
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
abstract class CliTestBase {

    final RegistryManager registry = Fixture.registry();
    final FaceServer face;
    final ForwarderManager fwd;
    final CliProcesses cli = new CliProcesses();

    @TempDir
    Path dir;

    CliTestBase() {
        try {
            face = new FaceServer(registry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fwd = Fixture.forwarder(registry, Map.of("announce", true));
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        cli.stopAll();
        fwd.deactivate();
        face.close();
        TestRegistry.stop(registry);
    }

    /** {@return the values the registry holds for key} */
    List<String> values(String key) {
        return registry.lookup(key, 10).stream().map(e -> EndpointSigning.endpointOf(e.value())).toList();
    }
}
