package dev.natgw.registry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
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

    @Test
    void theFaceIsServedWhenTheManagerIsBuiltAndGoneWhenItIsDeactivated() throws Exception {
        RegistryHttpManager manager = new RegistryHttpManager(http, registry);
        assertThat(http.servlets).containsOnlyKeys(RegistryServlet.BASE);
        assertThat(http.servlets.get(RegistryServlet.BASE)).isInstanceOf(RegistryServlet.class);
        assertThat(http.names).containsEntry(RegistryServlet.BASE, RegistryServlet.NAME);
        manager.deactivate();
        assertThat(http.servlets).isEmpty();
    }

    @Test
    void aRestartServesTheNewFaceAtOnce() throws Exception {
        // an update or a refresh deactivates and activates in a row, on one thread
        RegistryHttpManager first = new RegistryHttpManager(http, registry);
        Servlet before = http.servlets.get(RegistryServlet.BASE);
        first.deactivate();
        new RegistryHttpManager(http, registry);
        assertThat(http.servlets).containsOnlyKeys(RegistryServlet.BASE);
        assertThat(http.servlets.get(RegistryServlet.BASE)).isNotSameAs(before);
    }

    @Test
    void aSecondFaceAtTheSameBaseIsRefused() throws Exception {
        new RegistryHttpManager(http, registry);
        assertThatThrownBy(() -> new RegistryHttpManager(http, registry)).isInstanceOf(NamespaceException.class);
    }

    /** The HttpService's alias table, as the specification has it: one servlet per alias. */
    private static final class AliasTable implements HttpService {
        final Map<String, Servlet> servlets = new LinkedHashMap<>();
        final Map<String, Object> names = new LinkedHashMap<>();

        @Override
        public void registerServlet(String alias, Servlet servlet, Dictionary<?, ?> initparams, HttpContext context)
                throws NamespaceException {
            if (servlets.containsKey(alias)) {
                throw new NamespaceException(alias + " is taken");
            }
            servlets.put(alias, servlet);
            names.put(alias, initparams == null ? null : initparams.get("servlet-name"));
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
        }

        @Override
        public HttpContext createDefaultHttpContext() {
            throw new UnsupportedOperationException();
        }
    }
}
