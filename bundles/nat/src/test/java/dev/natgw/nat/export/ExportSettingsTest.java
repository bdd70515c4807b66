package dev.natgw.nat.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ExportSettingsTest {
    @Test
    void targetsAreHostPortListsWithinBounds() {
        assertThat(ExportSettings.targets("ipfix.collectors", new String[]{"127.0.0.1:4739, 127.0.0.2:9995", " "}))
                .containsExactly(new InetSocketAddress("127.0.0.1", 4739), new InetSocketAddress("127.0.0.2", 9995));
        assertThat(ExportSettings.targets("syslog.servers", new String[]{"[::1]:514"})).hasSize(1);
        assertThatThrownBy(() -> ExportSettings.targets("ipfix.collectors", new String[]{"127.0.0.1"}))
                .hasMessage("dev.natgw.nat.export: ipfix.collectors '127.0.0.1' is not host:port");
        assertThatThrownBy(() -> ExportSettings.targets("ipfix.collectors", new String[]{"127.0.0.1:0"}))
                .hasMessageContaining("ipfix.collectors '127.0.0.1:0': port must be 1..65535");
        assertThatThrownBy(() -> ExportSettings.targets("syslog.servers", new String[]{"127.0.0.1:x"}))
                .hasMessageContaining("syslog.servers '127.0.0.1:x' has no port number");
        String nine = "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3,127.0.0.1:4,127.0.0.1:5,127.0.0.1:6,127.0.0.1:7,"
                + "127.0.0.1:8,127.0.0.1:9";
        assertThatThrownBy(() -> ExportSettings.targets("ipfix.collectors", new String[]{nine}))
                .hasMessageContaining("at most 8 targets");
        assertThatThrownBy(() -> ExportSettings.targets("ipfix.collectors", new String[]{"no-such-host.invalid:1"}))
                .hasMessageContaining("cannot resolve no-such-host.invalid");
    }
}
