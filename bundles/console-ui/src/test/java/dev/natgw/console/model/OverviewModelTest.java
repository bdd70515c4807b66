package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PortUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.TcpState;
import dev.natgw.console.Fakes;
import dev.natgw.console.internal.ServiceBridge;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverviewModelTest {

    static Fakes.GoingNat nat() {
        return Fakes.natWithFigures();
    }

    @Test
    void figuresAreTheServicesPerAddressAndPerWorker() {
        Reading<OverviewModel.Snapshot> r = OverviewModel.read(nat());
        assertThat(r.present()).isTrue();
        OverviewModel.Snapshot s = r.value();
        assertThat(s.sessions()).isEqualTo(5);
        assertThat(s.pools()).singleElement().satisfies(p -> {
            assertThat(p.pool()).isEqualTo("default");
            // five sessions' ports plus three in hold-down
            assertThat(p.portsInUse()).isEqualTo(8);
            assertThat(p.portsHeld()).isEqualTo(3);
            assertThat(p.portsMapped()).isEqualTo(5);
        });
        assertThat(s.byAddress()).containsExactly(new OverviewModel.PortRow("default", "198.19.0.1", 2000, 15, 5),
                new OverviewModel.PortRow("default", "198.19.0.2", 2000, 7, 2));
        assertThat(s.byWorker()).containsExactly(new OverviewModel.PortRow("default", "worker 0", 2000, 10, 4),
                new OverviewModel.PortRow("default", "worker 1", 2000, 12, 3));
        assertThat(s.byAddress().getFirst().free()).isEqualTo(1985);
        assertThat(s.byAddress().getFirst().used()).isEqualTo(10);
        assertThat(s.byProtocol()).containsEntry(Protocol.TCP, 3L).containsEntry(Protocol.UDP, 1L)
                .containsEntry(Protocol.ICMP, 1L);
        // the counts the NAT keeps per state, every state listed
        assertThat(s.tcpStates()).containsEntry(TcpState.ESTABLISHED, 2L).containsEntry(TcpState.FIN_IN, 1L)
                .containsEntry(TcpState.INIT_IN, 0L).doesNotContainKey(TcpState.NONE).hasSize(7);
        // non-zero drops, most first, ties by name: what nat:stats prints
        assertThat(s.drops().entrySet()).extracting(Map.Entry::getKey)
                .containsExactly("fragment", "bad-l4-checksum", "truncated");
    }

    @Test
    void absentServiceIsAMessageAndTheViewComesBackWhenItAppears() {
        ServiceBridge bridge = new ServiceBridge();
        Reading<OverviewModel.Snapshot> absent = OverviewModel.read(bridge.nat());
        assertThat(absent.present()).isFalse();
        assertThat(absent.message()).contains("NatService").contains("not running");

        bridge.nat(nat());
        assertThat(OverviewModel.read(bridge.nat()).present()).isTrue();
    }

    @Test
    void serviceGoingAwayWhileReadIsAMessageNotAnError() {
        Fakes.GoingNat nat = nat();
        nat.gone = true;
        Reading<OverviewModel.Snapshot> r = OverviewModel.read(nat);
        assertThat(r.present()).isFalse();
        assertThat(r.message()).contains("went away");
        nat.gone = false;
        assertThat(OverviewModel.read(nat).present()).isTrue();
    }
}
