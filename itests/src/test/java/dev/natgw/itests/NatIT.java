package dev.natgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natgw.api.dataplane.PacketStage;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.PoolDefinition;
import java.time.Duration;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.awaitility.Awaitility;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The NAT translator in the distribution: its default pool comes from the feature's configuration, it offers
 * itself to the dataplane as the "nat" packet stage, the nat: commands answer, and pool configurations are
 * picked up and refused by ConfigAdmin as an operator would write them.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NatIT {

    @Inject
    BundleContext context;

    @Inject
    SessionFactory sessions;

    @Inject
    NatAdminService nat;

    @Inject
    ConfigurationAdmin configAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return NatgwContainer.distribution();
    }

    @Test
    public void defaultPoolComesFromTheFeatureConfiguration() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> nat.pools().stream()
                .anyMatch(p -> p.name().equals("default")));
        PoolDefinition p = nat.pools().stream().filter(x -> x.name().equals("default")).findFirst().orElseThrow();
        assertTrue(p.contains(Ipv4.parse("198.19.0.1")));
        assertEquals(1025, p.portMin());
        assertEquals(65535, p.portMax());
    }

    @Test
    public void translatorIsOfferedToTheDataplaneAsTheNatStage() throws Exception {
        Collection<ServiceReference<PacketStage>> refs = context.getServiceReferences(PacketStage.class,
                "(" + PacketStage.STAGE_NAME + "=nat)");
        assertEquals(1, refs.size());
        assertEquals(500, refs.iterator().next().getProperty(PacketStage.STAGE_ORDER));
    }

    @Test
    public void commandsAnswer() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> NatgwContainer.execute(
                sessions, "nat:pools --no-format").contains("198.19.0.1"));
        JsonNode stats = new ObjectMapper().readTree(NatgwContainer.execute(sessions, "nat:stats --json"));
        assertEquals(0, stats.get("sessions").asLong());
        String out = NatgwContainer.execute(sessions, "nat:pool-add --ports 2000-2999 itest 198.19.0.60-198.19.0.61");
        assertTrue(out, nat.pools().stream().anyMatch(p -> p.name().equals("itest")));
        String pools = NatgwContainer.execute(sessions, "nat:pools --json");
        assertTrue(pools, pools.contains("itest"));
        NatgwContainer.execute(sessions, "nat:pool-remove itest");
        assertFalse(nat.pools().stream().anyMatch(p -> p.name().equals("itest")));
        String ports = NatgwContainer.execute(sessions, "nat:ports default");
        assertTrue(ports, ports.contains("no dataplane runs the translator"));
        String sessionsOut = NatgwContainer.execute(sessions, "nat:sessions --no-format");
        assertTrue(sessionsOut, sessionsOut.contains("0 of 0 sessions shown"));
    }

    @Test
    public void poolConfigurationsAreAppliedAndBadOnesRefused() throws Exception {
        Configuration good = configAdmin.getFactoryConfiguration("dev.natgw.nat.pool", "lab", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("addresses", new String[]{"198.19.0.70-198.19.0.71"});
        props.put("ports", "3000-3999");
        good.update(props);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> nat.pools().stream()
                .anyMatch(p -> p.name().equals("lab") && p.portMin() == 3000));

        Configuration bad = configAdmin.getFactoryConfiguration("dev.natgw.nat.pool", "broken", "?");
        Dictionary<String, Object> wrong = new Hashtable<>();
        wrong.put("addresses", new String[]{"198.19.0.300"});
        bad.update(wrong);
        good.delete();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> nat.pools().stream()
                .noneMatch(p -> p.name().equals("lab")));
        assertFalse(nat.pools().stream().anyMatch(p -> p.name().equals("broken")));
        bad.delete();
    }

    @Test
    public void eventExportIsConfiguredThroughConfigAdmin() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> NatgwContainer.execute(
                sessions, "nat:export").contains("NAT event export is off"));
        try (java.net.DatagramSocket collector = new java.net.DatagramSocket(0,
                java.net.InetAddress.getLoopbackAddress())) {
            collector.setSoTimeout(20_000);
            Configuration c = configAdmin.getConfiguration("dev.natgw.nat.export", null);
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("ipfix.collectors", new String[]{"127.0.0.1:" + collector.getLocalPort()});
            c.update(props);
            try {
                // the exporter opens with the template set: IPFIX version 10, then a set with id 2
                java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[2048], 2048);
                collector.receive(p);
                byte[] d = p.getData();
                assertEquals(10, (d[0] & 0xff) << 8 | (d[1] & 0xff));
                assertEquals(2, (d[16] & 0xff) << 8 | (d[17] & 0xff));
                Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> NatgwContainer
                        .execute(sessions, "nat:export --no-format").contains("ipfix-udp"));
            } finally {
                c.delete();
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> NatgwContainer.execute(
                sessions, "nat:export").contains("NAT event export is off"));
    }
}
