package dev.natgw.registry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.testing.ConfigProxy;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.servlet.Servlet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.http.HttpContext;
import org.osgi.service.http.HttpService;
import org.osgi.service.http.NamespaceException;

class RegistryHttpManagerTest {
    private final RegistryManager registry = TestRegistry.start();
    private final AliasTable http = new AliasTable();

    @AfterEach
    void stop() {
        TestRegistry.stop(registry);
    }

    private static RegistryHttpConfig config() {
        return ConfigProxy.of(RegistryHttpConfig.class, Map.of());
    }

    @Test
    void theFaceIsServedWhenTheManagerIsBuiltAndGoneWhenItIsDeactivated() throws Exception {
        RegistryHttpManager manager = new RegistryHttpManager(http, registry, config());
        assertThat(http.servlets).containsOnlyKeys(RegistryServlet.BASE);
        assertThat(http.servlets.get(RegistryServlet.BASE)).isInstanceOf(RegistryServlet.class);
        assertThat(http.names).containsEntry(RegistryServlet.BASE, RegistryServlet.NAME);
        // bodies are read asynchronously: Pax Web gives the servlet asynchronous support for this init parameter
        assertThat(http.async).containsEntry(RegistryServlet.BASE, "true");
        manager.deactivate();
        assertThat(http.servlets).isEmpty();
    }

    @Test
    void aRestartServesTheNewFaceAtOnce() throws Exception {
        // an update or a refresh deactivates and activates in a row, on one thread
        RegistryHttpManager first = new RegistryHttpManager(http, registry, config());
        Servlet before = http.servlets.get(RegistryServlet.BASE);
        first.deactivate();
        new RegistryHttpManager(http, registry, config());
        assertThat(http.servlets).containsOnlyKeys(RegistryServlet.BASE);
        assertThat(http.servlets.get(RegistryServlet.BASE)).isNotSameAs(before);
    }

    @Test
    void aNewConfigurationAppliesAtOnceAndABadOneIsRefused() throws Exception {
        RegistryHttpManager manager = new RegistryHttpManager(http, registry, config());
        assertThat(manager.face().settings()).isEqualTo(RegistryHttpSettings.DEFAULTS);
        manager.modified(ConfigProxy.of(RegistryHttpConfig.class, Map.of("rate.per.key", 9)));
        assertThat(manager.face().settings().ratePerKey()).isEqualTo(9);
        assertThatThrownBy(() -> manager.modified(ConfigProxy.of(RegistryHttpConfig.class, Map.of(
                "wide.prefix.ipv6", 96)))).hasMessage("wide.prefix.ipv6 must be 16..64, was 96");
        assertThat(manager.face().settings().ratePerKey()).isEqualTo(9);
        assertThatThrownBy(() -> new RegistryHttpManager(http, registry, ConfigProxy.of(RegistryHttpConfig.class,
                Map.of("body.timeout", 0)))).hasMessage("body.timeout must be 1..300, was 0");
    }

    @Test
    void aSecondFaceAtTheSameBaseIsRefused() throws Exception {
        new RegistryHttpManager(http, registry, config());
        assertThatThrownBy(() -> new RegistryHttpManager(http, registry, config()))
                .isInstanceOf(NamespaceException.class);
    }

    /** The HttpService's alias table, as the specification has it: one servlet per alias. */
    private static final class AliasTable implements HttpService {
        final Map<String, Servlet> servlets = new LinkedHashMap<>();
        final Map<String, Object> names = new LinkedHashMap<>();
        final Map<String, Object> async = new LinkedHashMap<>();

        @Override
        public void registerServlet(String alias, Servlet servlet, Dictionary<?, ?> initparams, HttpContext context)
                throws NamespaceException {
            if (servlets.containsKey(alias)) {
                throw new NamespaceException(alias + " is taken");
            }
            servlets.put(alias, servlet);
            names.put(alias, initparams == null ? null : initparams.get("servlet-name"));
            async.put(alias, initparams == null ? null : initparams.get(RegistryServlet.ASYNC_SUPPORTED));
        }

        @Override
        public void registerResources(String alias, String name, HttpContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void unregister(String alias) {
            if (servlets.remove(alias) == null) {
                throw new IllegalArgumentException(alias + " is not registered");
            }
            names.remove(alias);
            async.remove(alias);
        }

        @Override
        public HttpContext createDefaultHttpContext() {
            throw new UnsupportedOperationException();
        }
    }
}
