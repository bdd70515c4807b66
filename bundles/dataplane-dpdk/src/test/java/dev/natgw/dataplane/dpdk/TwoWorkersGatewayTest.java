package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.QueueStats;
import dev.natgw.api.dataplane.WorkerInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@link NamespaceGatewayTest}'s gateway, every test of it, with two workers on two CPUs, each with its own queue
 * pair on both ports (veths with two queues each way), through {@code auto} ports. DPDK 22.11's AF_XDP driver counts
 * an interface's queues as "combined" channels, which a veth does not have (it has separate receive and transmit
 * ones), so on veths {@code auto} opens two-queue AF_PACKET ports and says why; on a NIC it gets AF_XDP. Neither a veth
 * nor AF_PACKET's fanout spreads flows by natgw's RSS, so answers often arrive at the worker that does not own their
 * session and are handed to the one that does.
 */
class TwoWorkersGatewayTest extends NamespaceGatewayTest {

    @BeforeAll
    static void up() throws Exception {
        start("auto", 2);
        assertThat(engine.ports()).allSatisfy(p -> {
            assertThat(p.device()).matches(".*\\((net_af_xdp|net_af_packet)\\)");
            assertThat(p.rxQueues()).isEqualTo(2);
        });
    }

    @Test
    @Order(20)
    void bothWorkersCarryTrafficOnTheirOwnQueues() {
        // by now the suite's thousands of connections and iperf3 runs have crossed the gateway
        for (String port : new String[]{"inside", "outside"}) {
            PortStats s = engine.portStats(port);
            assertThat(s.queues()).hasSize(2);
            for (QueueStats q : s.queues()) {
                assertThat(q.rxPackets()).as("%s queue %d received", port, q.queue()).isGreaterThan(100);
            }
        }
        assertThat(engine.workers()).hasSize(2).allSatisfy(w -> assertThat(w.packets()).isPositive());
        System.out.printf("natgw e2e: two workers on %s: packets %s, handed to the other worker %d%n",
                engine.ports().get(0).device(), engine.workers().stream().map(WorkerInfo::packets).toList(),
                engine.counters().get("handoffs"));
    }
}
