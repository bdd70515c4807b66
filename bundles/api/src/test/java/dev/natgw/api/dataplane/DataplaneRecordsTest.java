package dev.natgw.api.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DataplaneRecordsTest {
    @Test
    void portInfoValidates() {
        PortInfo ok = new PortInfo("inside", PortRole.INSIDE, "net_tap0,iface=in0", "02:00:00:00:00:01", 2, 2, 1500,
                true);
        assertThat(ok.role()).isEqualTo(PortRole.INSIDE);

        assertThatThrownBy(() -> new PortInfo("inside", PortRole.INSIDE, "x", "02:00:00:00:00", 1, 1, 1500, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mac");
        assertThatThrownBy(() -> new PortInfo("inside", PortRole.INSIDE, "x", "02:00:00:00:00:01", 0, 1, 1500, true))
                .hasMessageContaining("rxQueues");
        assertThatThrownBy(() -> new PortInfo("inside", PortRole.INSIDE, "x", "02:00:00:00:00:01", 1, 1, 67, true))
                .hasMessageContaining("mtu");
        assertThatThrownBy(() -> new PortInfo(" ", PortRole.INSIDE, "x", "02:00:00:00:00:01", 1, 1, 1500, true))
                .hasMessageContaining("name");
        assertThatThrownBy(() -> new PortInfo("inside", null, "x", "02:00:00:00:00:01", 1, 1, 1500, true))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("role");
    }

    @Test
    void statsRejectNegativeCountsAndCopyQueues() {
        List<QueueStats> queues = new ArrayList<>(List.of(new QueueStats(0, 1, 60, 1, 60, 0)));
        PortStats stats = new PortStats("outside", 1, 60, 1, 60, 0, 0, 0, queues);
        queues.clear();

        assertThat(stats.queues()).hasSize(1);
        assertThatThrownBy(() -> stats.queues().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new QueueStats(0, 0, 0, 0, 0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rxDropped must be >= 0, was -1");
        assertThatThrownBy(() -> new PortStats("outside", 0, 0, 0, 0, 0, -2, 0, List.of()))
                .hasMessage("txDropped must be >= 0, was -2");
    }

    @Test
    void workerInfoValidatesShares() {
        WorkerInfo w = new WorkerInfo(0, -1, List.of("inside:0", "outside:0"), 10, 100, 0.3, 0.5);
        assertThat(w.queues()).containsExactly("inside:0", "outside:0");

        assertThatThrownBy(() -> new WorkerInfo(0, 1, List.of(), 0, 0, 1.5, 0)).hasMessageContaining("meanBurstFill");
        assertThatThrownBy(() -> new WorkerInfo(0, 1, List.of(), 0, 0, 0, Double.NaN))
                .hasMessageContaining("busyShare");
        assertThatThrownBy(() -> new WorkerInfo(0, -2, List.of(), 0, 0, 0, 0)).hasMessageContaining("cpu");
    }

    @Test
    void captureResultValidates() {
        assertThat(new CaptureResult("inside", Path.of("x.pcap"), 3, 180).packets()).isEqualTo(3);
        assertThatThrownBy(() -> new CaptureResult("inside", null, 0, 0)).hasMessageContaining("file");
        assertThatThrownBy(() -> new CaptureResult("inside", Path.of("x.pcap"), -1, 0))
                .hasMessageContaining("packets");
    }
}
