package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.RssConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@link NamespaceGatewayTest}'s gateway, every test of it, on the demo's default ports: {@code auto}, which opens
 * the veths with net_af_xdp. Over AF_XDP the kernel does not reassemble fragments for natgw (net_af_packet's socket
 * does), so fragmented traffic reaches the translator as fragments here. Also: what {@code auto} does where AF_XDP
 * cannot open an interface.
 */
class XdpGatewayTest extends NamespaceGatewayTest {

    @BeforeAll
    static void up() throws Exception {
        start("auto");
        for (PortInfo p : engine.ports()) {
            assertThat(p.device()).as("the %s port", p.name()).endsWith("(net_af_xdp)");
        }
    }

    @Test
    @Order(20)
    void fragmentedEchoesCrossAsFragmentsBothWays() throws Exception {
        // 3,000 bytes of ICMP data: three fragments each way, which the outside MTU of 1,400 cuts again
        long before = engine.portStats("inside").rxPackets();
        assertThat(inside(20, "ping", "-c", "3", "-i", "0.3", "-W", "2", "-s", "3000", "198.19.0.2"))
                .contains(" 0% packet loss");
        assertThat(engine.portStats("inside").rxPackets() - before).as("frames, not reassembled datagrams")
                .isGreaterThanOrEqualTo(9);
    }

    @Test
    void autoFallsBackToAfPacketWhereAfXdpCannotOpenAndSaysWhy() throws Exception {
        // a veth has one queue unless made with more: AF_XDP cannot bind the second queue two workers need
        Sh.run(10, "ip", "link", "del", "ngtx0");
        Sh.ok(10, "ip", "link", "add", "ngtx0", "type", "veth", "peer", "name", "ngtx1");
        try {
            Sh.ok(10, "ip", "link", "set", "ngtx0", "up");
            Sh.ok(10, "ip", "link", "set", "ngtx1", "up");
            Port p = Port.open("inside", PortRole.INSIDE, "auto,iface=ngtx0", 2, 1500, 2047,
                    RssConfig.symmetricDefault(2));
            try {
                assertThat(p.driver()).isEqualTo("net_af_packet");
                assertThat(p.deviceText()).isEqualTo("auto,iface=ngtx0 (net_af_packet)");
                assertThat(p.fallback()).startsWith("net_af_xdp could not open ngtx0 (")
                        .contains("the inside port uses net_af_packet");
            } finally {
                p.close();
            }
        } finally {
            Sh.run(10, "ip", "link", "del", "ngtx0");
        }
    }

    @Test
    void anAfXdpRingHoldsWhatThePoolAllows() {
        assertThat(Port.xdpDescriptors(8191, 1)).isEqualTo(2048);
        assertThat(Port.xdpDescriptors(65535, 1)).isEqualTo(4096);
        assertThat(Port.xdpDescriptors(8191, 2)).isEqualTo(1024);
        assertThat(Port.xdpDescriptors(1023, 4)).isEqualTo(512);
    }

    @Test
    void autoTakesAnInterfaceAndNothingElse() {
        assertThat(Port.autoInterface("inside", "auto,iface=ngwi0")).isEqualTo("ngwi0");
        for (String bad : new String[]{"auto,", "auto,iface=", "auto,iface=a,framecnt=4096", "auto,dev=a",
                "auto,iface=sixteen-chars-xx", "auto,iface=a b"}) {
            assertThatThrownBy(() -> Port.autoInterface("inside", bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auto takes exactly iface=NAME");
        }
    }
}
