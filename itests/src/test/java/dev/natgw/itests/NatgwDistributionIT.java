package dev.natgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.status.ApplianceStatus;
import dev.natgw.api.status.BundleStatus;
import dev.natgw.api.status.StatusService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.awaitility.Awaitility;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * The natgw distribution boots on JDK 25 with the natgw feature, and natgw:status answers in its shell.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NatgwDistributionIT {

    @Inject
    BundleContext context;

    @Inject
    FeaturesService features;

    @Inject
    SessionFactory sessions;

    @Inject
    StatusService status;

    @Configuration
    public Option[] config() {
        return NatgwContainer.distribution();
    }

    /**
     * Boot features install in the background: the container answers while the features service may still be
     * starting (or refreshing) the last natgw bundles. Waits, at most a minute, for all of them to be active.
     */
    @Before
    public void bootHasFinished() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> NatgwContainer.NATGW_BUNDLES.stream()
                .map(this::bundle).allMatch(b -> b != null && b.getState() == Bundle.ACTIVE));
    }

    @Test
    public void natgwFeatureIsInstalledWithEveryBundleActive() throws Exception {
        assertTrue("feature natgw installed", features.isInstalled(features.getFeature("natgw")));
        for (String name : NatgwContainer.NATGW_BUNDLES) {
            Bundle bundle = bundle(name);
            assertNotNull(name + " installed", bundle);
            assertEquals(name + " state", Bundle.ACTIVE, bundle.getState());
        }
    }

    @Test
    public void onlyTheApiBundleExportsPackages() {
        for (Bundle b : context.getBundles()) {
            String name = b.getSymbolicName();
            if (name != null && name.startsWith("dev.natgw.")) {
                String exports = b.getHeaders().get(Constants.EXPORT_PACKAGE);
                if (name.equals("dev.natgw.api")) {
                    assertTrue("api exports dev.natgw.api.status: " + exports,
                            exports != null && exports.contains("dev.natgw.api.status"));
                    assertFalse("api leaves dev.natgw.api.state to dev.natgw.state: " + exports,
                            exports.contains("dev.natgw.api.state;") || exports.contains("dev.natgw.api.state,"));
                } else if (name.equals("dev.natgw.state")) {
                    // the state keeper's own contract, kept out of natgw-api so that an api update leaves it alone
                    assertTrue("state exports dev.natgw.api.state alone: " + exports,
                            exports != null && exports.startsWith("dev.natgw.api.state;")
                                    && !exports.contains(",dev.natgw."));
                    String imports = String.valueOf(b.getHeaders().get(Constants.IMPORT_PACKAGE));
                    assertFalse("state imports nothing from natgw: " + imports,
                            imports.replace("dev.natgw.api.state", "").contains("dev.natgw."));
                } else {
                    assertTrue(name + " exports nothing, but has " + exports, exports == null || exports.isBlank());
                }
            }
        }
    }

    @Test
    public void statusServiceSeesTheRealFramework() {
        ApplianceStatus s = status.status();
        Map<String, BundleStatus> bundles = s.bundles().stream()
                .collect(Collectors.toMap(BundleStatus::symbolicName, Function.identity()));
        for (String name : NatgwContainer.NATGW_BUNDLES) {
            assertEquals(name, "ACTIVE", bundles.get(name).state());
            assertEquals(name, bundle(name).getBundleId(), bundles.get(name).id());
        }
        assertTrue("JDK 25 reported: " + s.jdk().version(), s.jdk().version().startsWith("25"));
        assertTrue("native access enabled by the distribution's JVM options", s.jdk().nativeAccess());
        assertTrue("StatusService reported up",
                s.services().stream().anyMatch(x -> x.contract().equals(StatusService.class.getName()) && x.up()));
    }

    @Test
    public void statusCommandAnswersInTheShell() throws Exception {
        String out = NatgwContainer.execute(sessions, "natgw:status --no-format");
        assertTrue(out, out.contains("natgw " + bundle("dev.natgw.core").getVersion()));
        for (String name : NatgwContainer.NATGW_BUNDLES) {
            assertTrue(out, out.matches("(?s).*\\b" + bundle(name).getBundleId() + "\\s+" + name.replace(".", "\\.")
                    + "\\s+\\S+\\s+ACTIVE.*"));
        }
        assertTrue(out, out.matches("(?s).*StatusService\\s+up.*"));
        assertTrue(out, out.matches("(?s).*Dataplane\\s+up.*"));
        assertTrue(out, out.contains("JDK    25"));
        assertTrue(out, out.contains("DPDK   "));
    }

    @Test
    public void statusCommandSpeaksJson() throws Exception {
        String out = NatgwContainer.execute(sessions, "natgw:status --json");
        JsonNode root = new ObjectMapper().readTree(out);
        assertEquals(bundle("dev.natgw.core").getVersion().toString(), root.get("version").asText());
        assertTrue(out, root.get("jdk").get("nativeAccess").asBoolean());
        int active = 0;
        for (JsonNode b : root.get("bundles")) {
            active += b.get("active").asBoolean() ? 1 : 0;
        }
        assertEquals(out, NatgwContainer.NATGW_BUNDLES.size(), active);
    }

    @Test
    public void jaasWhoamiSeesTheCallersSubject() throws Exception {
        // jaas:whoami reads the Subject through Subject.getSubject(acc), which JDK 25 refuses: the natgw agent
        // redirects it to Subject.current(), so the caller's identity must come back.
        String out = NatgwContainer.execute(sessions, "jaas:whoami");
        assertTrue(out, out.contains("itest"));
    }

    @Test
    public void roleChecksRefuseAUserWithoutTheRole() throws Exception {
        // system:property needs the admin role (etc/org.apache.karaf.command.acl.system.cfg): a viewer's Subject,
        // carried by the agent's bridge, must be refused, so the bridge grants no more than the Subject holds.
        String property = "natgw.itest.viewer.wrote";
        try {
            String out = NatgwContainer.execute(sessions, "system:property " + property + " yes", "watcher", "viewer");
            fail("a viewer ran an admin command: " + out);
        } catch (Exception refused) {
            assertTrue(String.valueOf(refused), refused.toString().contains("system:property")
                    || refused.toString().contains("Insufficient credentials"));
        }
        assertEquals(null, System.getProperty(property));
        NatgwContainer.execute(sessions, "system:property " + property + " yes");
        assertEquals("the same command works for an admin", "yes", System.getProperty(property));
    }

    /**
     * The command ACLs the distribution ships for natgw's scopes (etc/org.apache.karaf.command.acl.{natgw,nat,dp,fwd,
     * registry}.cfg): a viewer reads, only an admin changes the NAT, updates a bundle or captures traffic.
     */
    @Test
    public void aViewerReadsButCannotChangeUpdateOrCapture() throws Exception {
        String pools = NatgwContainer.execute(sessions, "nat:pools", "watcher", "viewer");
        assertTrue(pools, pools.contains("default"));
        String status = NatgwContainer.execute(sessions, "natgw:status", "watcher", "viewer");
        assertTrue(status, status.contains("dev.natgw.nat"));
        for (String command : List.of("nat:pool-add viewers 198.19.0.99", "nat:session-clear",
                "natgw:update dev.natgw.nat", "dp:capture outside data/viewer.pcap")) {
            try {
                String out = NatgwContainer.execute(sessions, command, "watcher", "viewer");
                fail("a viewer ran " + command + ": " + out);
            } catch (Exception refused) {
                // the command guard hides what the Subject may not run, or refuses it outright
                String why = String.valueOf(refused);
                assertTrue(command + ": " + why, why.contains("Insufficient credentials")
                        || why.contains("Command not found"));
            }
        }
        assertFalse(NatgwContainer.execute(sessions, "nat:pools").contains("viewers"));
        // the same command, as an admin, is accepted: the refusal above was the ACL, not the syntax
        NatgwContainer.execute(sessions, "nat:pool-add viewers 198.19.0.99");
        assertTrue(NatgwContainer.execute(sessions, "nat:pools").contains("viewers"));
        NatgwContainer.execute(sessions, "nat:pool-remove viewers");
    }

    private Bundle bundle(String symbolicName) {
        return NatgwContainer.bundle(context, symbolicName);
    }
}
