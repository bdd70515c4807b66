package dev.natgw.nat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.nat.export.EventExportManager;
import dev.natgw.nat.export.ExportConfig;
import dev.natgw.nat.fastpath.EventRing;
import dev.natgw.testing.ConfigProxy;
import dev.natgw.testing.StdoutCapture;
import java.net.DatagramSocket;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ExportCommandTest extends StdoutCapture {

    @Test
    void saysExportIsOffWithoutTargets() {
        ExportCommand c = new ExportCommand();
        c.export = new EventExportManager(ConfigProxy.of(ExportConfig.class));
        c.execute();
        assertThat(printed()).contains("NAT event export is off");
    }

    @Test
    void showsWhatEachCollectorGot() throws Exception {
        try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            EventExportManager m = new EventExportManager(ConfigProxy.of(ExportConfig.class, "ipfix.collectors",
                    new String[]{"127.0.0.1:" + collector.getLocalPort()}));
            try {
                m.event(EventRing.CREATED, 17, 0, "public", 0xC6120002, 5000, 0xC6130001, 1025, 1);
                await().until(() -> m.stats().collectors().get(0).records() == 1);
                ExportCommand c = new ExportCommand();
                c.export = m;
                c.noFormat = true;
                c.execute();
                String port = Integer.toString(collector.getLocalPort());
                assertThat(printed().lines().filter(l -> l.contains("127.0.0.1:" + port)))
                        .singleElement().satisfies(l -> assertThat(l.split("[\\s|]+")).containsSubsequence(
                                "127.0.0.1:" + port, "ipfix-udp", "1", "0", "sending"));
                assertThat(printed().lines().filter(l -> l.startsWith("events exported")))
                        .singleElement().satisfies(l -> assertThat(l).endsWith("1"));
                c.json = true;
                c.execute();
                assertThat(printed()).contains("\"transport\" : \"ipfix-udp\"", "\"records\" : 1");
            } finally {
                m.deactivate();
            }
        }
    }
}
