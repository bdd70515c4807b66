package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.console.Fakes;
import dev.natgw.console.internal.ServiceBridge;
import org.junit.jupiter.api.Test;

class DataplaneModelTest {

    @Test
    void absentUntilADataplaneAppearsThenItsPortsQueuesAndWorkers() {
        ServiceBridge bridge = new ServiceBridge();
        Reading<DataplaneModel.Snapshot> none = DataplaneModel.read(bridge.dataplane());
        assertThat(none.present()).isFalse();
        assertThat(none.message()).contains("Dataplane").contains("not running");

        Fakes.TestDataplane dp = new Fakes.TestDataplane();
        dp.rx.set(1000);
        bridge.dataplane(dp);
        DataplaneModel.Snapshot s = DataplaneModel.read(bridge.dataplane()).value();
        assertThat(s.ports()).extracting(p -> p.info().name()).containsExactly("inside", "outside");
        assertThat(s.ports().getFirst().stats().rxPackets()).isEqualTo(1000);
        assertThat(s.ports().getFirst().stats().queues()).hasSize(2);
        assertThat(s.workers()).extracting(w -> w.packets()).containsExactly(500L, 500L);
        assertThat(s.stages()).containsExactly("arp", "nat");

        dp.gone = true;
        assertThat(DataplaneModel.read(bridge.dataplane()).message()).contains("went away");
        bridge.dataplane(null);
        assertThat(DataplaneModel.read(bridge.dataplane()).message()).contains("not running");
    }
}
