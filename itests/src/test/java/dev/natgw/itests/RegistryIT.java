package dev.natgw.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The registry in the natgw distribution: the Registry service is up with the embedded backend its default
 * configuration names, keeps what is announced, and registry:lookup / registry:list show it. The Curator and wrapped
 * ZooKeeper bundles of the zookeeper backend resolve beside it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistryIT {

    @Inject
    BundleContext context;

    @Inject
    FeaturesService features;

    @Inject
    SessionFactory sessions;

    @Inject
    Registry registry;

    @Configuration
    public Option[] config() {
        return NatgwContainer.distribution();
    }

    @Test
    public void registryIsUpWithTheEmbeddedBackend() throws Exception {
        assertTrue("feature natgw-registry installed", features.isInstalled(features.getFeature("natgw-registry")));
        assertEquals(Bundle.ACTIVE, NatgwContainer.bundle(context, "dev.natgw.registry").getState());
        assertEquals(Registry.BACKEND_EMBEDDED, registry.backend());
    }

    @Test
    public void announcedEntryIsLookedUpAndShownByTheCommands() throws Exception {
        RegistryEntry entry = registry.announce("itest/fwd", "198.19.0.1:7000", Duration.ofMinutes(5));
        assertEquals(List.of(entry), registry.lookup("itest/fwd", 10));

        // commands register asynchronously
        String out = await().atMost(30, TimeUnit.SECONDS).ignoreExceptions()
                .until(() -> NatgwContainer.execute(sessions, "registry:lookup --no-format itest/fwd"), s -> true);
        assertTrue(out,
                out.matches("(?s).*itest/fwd\\s+198\\.19\\.0\\.1:7000\\s+" + entry.owner() + "\\s+\\d+m \\d+s.*"));

        JsonNode json = new ObjectMapper()
                .readTree(NatgwContainer.execute(sessions, "registry:lookup --json itest/fwd"));
        assertEquals(out, "198.19.0.1:7000", json.get("entries").get(0).get("value").asText());

        String list = NatgwContainer.execute(sessions, "registry:list --no-format");
        assertTrue(list, list.matches("(?s).*itest/fwd\\s+1\\b.*"));

        assertTrue(registry.withdraw("itest/fwd", "198.19.0.1:7000"));
        assertTrue(registry.lookup("itest/fwd", 10).isEmpty());
    }

    @Test
    public void zookeeperClientBundlesResolve() throws Exception {
        for (String name : List.of("curator-client", "curator-framework", "curator-recipes",
                "org.apache.zookeeper.zookeeper", "com.google.guava")) {
            assertEquals(name, Bundle.ACTIVE, NatgwContainer.bundle(context, name).getState());
        }
        assertEquals(Bundle.RESOLVED, NatgwContainer.bundle(context, "org.apache.zookeeper.jute").getState());
        Bundle zookeeper = NatgwContainer.bundle(context, "org.apache.zookeeper.zookeeper");
        // the client's NIO socket and a class from the jute fragment load through the one class loader
        assertNotNull(zookeeper.loadClass("org.apache.zookeeper.ClientCnxnSocketNIO"));
        assertNotNull(zookeeper.loadClass("org.apache.zookeeper.proto.ConnectRequest"));
        Bundle framework = NatgwContainer.bundle(context, "curator-framework");
        assertNotNull(framework.loadClass("org.apache.curator.framework.CuratorFrameworkFactory"));
    }
}
