package dev.natgw.traversal;

import static org.awaitility.Awaitility.await;

import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.forwarder.FaceServer;
import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.protocol.EndpointSigning;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * A real registry behind its HTTP face and forwarders that announce themselves in it, all on loopback, stopped after
 * each test: what the tests of servers that find their forwarders in the registry start from.
 */
abstract class AnnouncedForwarders {
    protected final RegistryManager registry = Fixture.registry();
    protected final FaceServer face;
    /** Every forwarder a test started, stopped after it unless the test stopped it. */
    protected final List<ForwarderManager> forwarders = new ArrayList<>();

    AnnouncedForwarders() throws Exception {
        face = new FaceServer(registry);
    }

    @AfterEach
    void stop() {
        for (ForwarderManager f : forwarders) {
            if (f.info().state() != ForwarderState.STOPPED) {
                f.deactivate();
            }
        }
        face.close();
        TestRegistry.stop(registry);
    }

    /** {@return a forwarder on host, port (0: any), once the registry lists it} */
    protected ForwarderManager announcedForwarder(String host, int port) {
        ForwarderManager f = Fixture.forwarder(registry, Map.of("announce", true, "listen.host", host, "listen.port",
                port));
        forwarders.add(f);
        String value = new Endpoint(Endpoint.FORWARDER, f.boundAddress().getAddress().getHostAddress(), f
                .boundAddress().getPort()).toString();
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.lookup(ForwarderService.ANNOUNCE_KEY, 10)
                .stream().anyMatch(e -> e.value().equals(value)));
        return f;
    }

    /** {@return the endpoints of the values under key, their signatures taken off} */
    protected List<String> values(String key) {
        return registry.lookup(key, 10).stream().map(e -> EndpointSigning.endpointOf(e.value())).toList();
    }
}
