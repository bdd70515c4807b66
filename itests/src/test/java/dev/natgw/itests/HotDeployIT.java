package dev.natgw.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.natgw.api.status.StatusService;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.inject.Inject;
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
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Hot deploy: the core bundle is replaced by a new jar while Karaf runs, the way docs/manual/hot-deploy.md tells a user to
 * ({@code bundle:update ID file:...}); its StatusService comes back from the new revision, the shell command rebinds
 * to it, the API bundle is not refreshed, and it all happens in the same JVM.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT {

    @Inject
    BundleContext context;

    @Inject
    SessionFactory sessions;

    @Configuration
    public Option[] config() {
        return NatgwContainer.distribution();
    }

    @Test
    public void coreBundleUpdateRebindsItsServiceInTheSameJvm() throws Exception {
        Bundle core = bundle("dev.natgw.core");
        Bundle api = bundle("dev.natgw.api");
        // A refresh of the api bundle would stop it and give it a new wiring: watch for both.
        BundleWiring apiWiring = api.adapt(BundleWiring.class);
        List<String> apiEvents = new CopyOnWriteArrayList<>();
        BundleListener apiWatch = event -> {
            if (event.getBundle().equals(api)) {
                apiEvents.add(String.valueOf(event.getType()));
            }
        };
        context.addBundleListener(apiWatch);
        // the distribution may still be starting components (Pax Web makes its boot longer): wait for the service
        ServiceReference<StatusService> before = await().atMost(Duration.ofSeconds(60)).until(
                () -> context.getServiceReference(StatusService.class), ref -> ref != null);
        long serviceIdBefore = (Long) before.getProperty(Constants.SERVICE_ID);
        assertEquals(core, before.getBundle());

        Version next = new Version(core.getVersion().getMajor(), core.getVersion().getMinor(),
                core.getVersion().getMicro(), "hotdeploy1");
        Path jar = withVersion(Path.of(System.getProperty("natgw.core.jar")),
                Path.of(System.getProperty("natgw.itests.work"), "natgw-core-hotdeploy1.jar"), next);

        long started = System.nanoTime();
        NatgwContainer.execute(sessions, "bundle:update " + core.getBundleId() + " " + jar.toUri());

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ServiceReference<StatusService> ref = context.getServiceReference(StatusService.class);
            return ref != null && ref.getBundle() != null && next.equals(ref.getBundle().getVersion());
        });
        long rebindMillis = (System.nanoTime() - started) / 1_000_000;
        ServiceReference<StatusService> after = context.getServiceReference(StatusService.class);
        System.out.println("natgw hot-deploy: core bundle updated and StatusService rebound in " + rebindMillis
                + " ms");

        assertNotEquals("a new service registration", serviceIdBefore, after.getProperty(Constants.SERVICE_ID));
        assertEquals("same bundle id", core.getBundleId(), after.getBundle().getBundleId());
        assertEquals(next.toString(), context.getService(after).status().version());
        context.removeBundleListener(apiWatch);
        assertTrue("api bundle not stopped or refreshed, saw bundle events " + apiEvents, apiEvents.isEmpty());
        assertSame("api bundle keeps its wiring", apiWiring, api.adapt(BundleWiring.class));
        assertTrue(apiWiring.isCurrent() && apiWiring.isInUse());
        assertEquals(Bundle.ACTIVE, api.getState());
        // This test runs inside the container: that it is still running proves the update happened in the same JVM.

        // The command is re-registered by the new revision and answers with it.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String out = NatgwContainer.execute(sessions, "natgw:status --no-format");
            assertTrue(out, out.contains("natgw " + next));
        });
    }

    /**
     * Copies a bundle jar with another Bundle-Version: a new build of the same bundle, as a user would deploy.
     */
    private static Path withVersion(Path source, Path target, Version version) throws IOException {
        Files.createDirectories(target.getParent());
        try (JarInputStream in = new JarInputStream(Files.newInputStream(source))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name(Constants.BUNDLE_VERSION), version.toString());
            try (OutputStream file = Files.newOutputStream(target);
                    JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return target;
    }

    private Bundle bundle(String symbolicName) {
        return NatgwContainer.bundle(context, symbolicName);
    }
}
