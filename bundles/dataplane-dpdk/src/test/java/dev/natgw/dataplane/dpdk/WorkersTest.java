package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.WorkerInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Several workers on multi-queue devices (net_null), each on its own queue of both ports; bad settings refused. */
class WorkersTest {

    @Test
    void twoWorkersEachPollTheirOwnQueues() {
        Engine engine = new Engine(TestSettings.of(Map.of("inside.device", "net_null_wa,size=64",
                "outside.device", "net_null_wb,size=64", "workers.cpus", "0,1", "idle.sleep.micros", 50,
                "mbufs", 2047)));
        engine.start();
        try {
            assertThat(engine.ports()).allSatisfy(p -> assertThat(p.rxQueues()).isEqualTo(2));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engine.workers().stream()
                    .allMatch(w -> w.packets() > 1000));
            List<WorkerInfo> workers = engine.workers();
            assertThat(workers).extracting(WorkerInfo::queues).containsExactly(List.of("inside:0", "outside:0"),
                    List.of("inside:1", "outside:1"));
            PortStats s = engine.portStats("inside");
            assertThat(s.queues()).hasSize(2).allSatisfy(q -> assertThat(q.rxPackets()).isPositive());
            // net_null frames are empty: all dropped as not IPv4, none sent
            assertThat(engine.counters().get("drop-not-ipv4")).isPositive();
            assertThat(engine.rss().queues()).isEqualTo(2);
        } finally {
            engine.stop();
        }
        assertThat(engine.running()).isFalse();
    }

    @Test
    void badSettingsAreRefusedNamingTheProperty() {
        assertThatThrownBy(() -> TestSettings.of(Map.of("inside.address", "198.18.0.1")))
                .hasMessageStartingWith("inside.address");
        assertThatThrownBy(() -> TestSettings.of(Map.of("outside.mtu", 70000)))
                .hasMessageStartingWith("outside.mtu");
        assertThatThrownBy(() -> TestSettings.of(Map.of("workers.cpus", "0,0")))
                .hasMessageStartingWith("workers.cpus");
        assertThatThrownBy(() -> TestSettings.of(Map.of("outside.gateway", "198.18.0.9")))
                .hasMessageStartingWith("outside.gateway");
        assertThatThrownBy(() -> TestSettings.of(Map.of("inside.device", "x", "outside.device", "x")))
                .hasMessageStartingWith("outside.device");
    }

    @Test
    void aDeviceThatDoesNotStartIsRefusedNamingThePort() {
        Engine engine = new Engine(TestSettings.of(Map.of("inside.device", "net_af_packet,iface=nosuchif0",
                "outside.device", "net_null_wc", "workers.cpus", "none")));
        assertThatThrownBy(engine::start).hasMessageStartingWith("inside.device")
                .hasMessageContaining("nosuchif0");
        assertThat(engine.running()).isFalse();
    }
}
