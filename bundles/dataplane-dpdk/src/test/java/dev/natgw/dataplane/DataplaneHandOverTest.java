package dev.natgw.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.state.DepositInfo;
import dev.natgw.api.state.HandOverRecord;
import dev.natgw.dataplane.dpdk.PortDeposit;
import dev.natgw.dataplane.internal.DataplaneConfig;
import dev.natgw.testing.ConfigProxy;
import dev.natgw.state.StateKeeperManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dataplane component's hand-over through the real state keeper, as two revisions of the bundle do it:
 * deactivation deposits the started ports, the next activation takes them over, and a deposit nobody claims
 * closes its ports when the keeper lets it go. Ring ports fail to open while rings of the same name exist, so
 * a later activation on the same names shows the earlier ports were really closed.
 */
class DataplaneHandOverTest {
    private static final Map<String, Object> CONFIG = Map.of("inside.device", "ring:dhi", "outside.device",
            "ring:dho", "outside.gateway", "", "workers.cpus", "none", "mbufs", 1023);

    private final List<DataplaneManager> active = new ArrayList<>();

    @AfterEach
    void stop() {
        for (DataplaneManager c : active) {
            c.deactivate();
        }
    }

    private DataplaneManager activate(StateKeeperManager keeper) {
        DataplaneManager c = new DataplaneManager();
        if (keeper != null) {
            c.setStateKeeper(keeper);
        }
        c.activate(ConfigProxy.of(DataplaneConfig.class, CONFIG));
        active.add(c);
        assertThat(c.failure()).as("ports started").isNull();
        return c;
    }

    private void deactivate(DataplaneManager c) {
        active.remove(c);
        c.deactivate();
    }

    @Test
    void aValueThatIsNotANumberIsRefusedWithTheComponentUp() {
        // an operator's typo in etc/dev.natgw.dataplane.cfg; DS hands it over unconverted and the attribute's method
        // throws when it is read (Felix: ComponentException, this proxy: ClassCastException)
        Map<String, Object> typo = new HashMap<>(CONFIG);
        typo.put("inside.mtu", "abc");
        DataplaneManager c = new DataplaneManager();
        c.activate(ConfigProxy.of(DataplaneConfig.class, typo));
        active.add(c);
        assertThat(c.failure()).startsWith("configuration refused: ");
        assertThat(c.ports()).isEmpty();
        c.modified(ConfigProxy.of(DataplaneConfig.class, CONFIG));
        assertThat(c.failure()).as("the corrected file starts the ports").isNull();
        assertThat(c.ports()).hasSize(2);
    }

    @Test
    void theNextRevisionTakesTheStartedPortsOverAndAnUnclaimedDepositClosesThem() {
        StateKeeperManager keeper = new StateKeeperManager();
        DataplaneManager first = activate(keeper);
        assertThat(first.counters().get("ports-taken-over")).isZero();
        deactivate(first);
        assertThat(keeper.deposits()).extracting(DepositInfo::owner).containsExactly(PortDeposit.OWNER);

        DataplaneManager second = activate(keeper);
        assertThat(second.counters().get("ports-taken-over")).isEqualTo(2);
        assertThat(second.ports()).hasSize(2);
        assertThat(keeper.deposits()).isEmpty();
        assertThat(keeper.history().getFirst().outcome()).isEqualTo(HandOverRecord.Outcome.CLAIMED);

        deactivate(second);
        assertThat(keeper.deposits()).hasSize(1);
        // the keeper stops with the deposit unclaimed: the deposit's clean-up closes the ports
        keeper.close();
        assertThat(keeper.history().getFirst().outcome()).isEqualTo(HandOverRecord.Outcome.CLOSED);

        // without a keeper: fresh ports on the same ring names (which fails while the old rings exist) ...
        DataplaneManager third = activate(null);
        assertThat(third.counters().get("ports-taken-over")).isZero();
        // ... closed at deactivation, so the names are free again
        deactivate(third);
        activate(null);
    }

    @Test
    void aConfigurationChangeKeepsThePortsItDoesNotTouch() {
        DataplaneManager c = activate(null);
        Map<String, Object> changed = new HashMap<>(CONFIG);
        changed.put("idle.sleep.micros", 50);
        c.modified(ConfigProxy.of(DataplaneConfig.class, changed));
        assertThat(c.failure()).isNull();
        assertThat(c.counters().get("ports-taken-over")).isEqualTo(2);
        changed.put("inside.mtu", 1400);
        c.modified(ConfigProxy.of(DataplaneConfig.class, changed));
        assertThat(c.failure()).isNull();
        assertThat(c.counters().get("ports-taken-over")).as("the inside port reopened for its MTU").isEqualTo(1);
        // a refused configuration closes the ports it was handed
        changed.put("mbufs", -1);
        c.modified(ConfigProxy.of(DataplaneConfig.class, changed));
        assertThat(c.failure()).contains("mbufs");
        changed.put("mbufs", 1023);
        c.modified(ConfigProxy.of(DataplaneConfig.class, changed));
        assertThat(c.failure()).isNull();
        assertThat(c.counters().get("ports-taken-over")).isZero();
    }
}
