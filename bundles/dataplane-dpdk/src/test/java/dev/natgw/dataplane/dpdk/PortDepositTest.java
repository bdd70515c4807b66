package dev.natgw.dataplane.dpdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.state.StateDeposit;
import dev.natgw.state.StateKeeperManager;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dataplane's hand-over format. The keys, their types and the version are pinned: a revision reads what
 * the previous one wrote, so changing any of them means raising {@link PortDeposit#VERSION}, and this test
 * with it. A deposit of another version or with a key that does not read is refused, and its ports are
 * closed by the clean-up the depositor left, so the claimer opens them anew.
 */
class PortDepositTest {
    static final PortDeposit.StartedPort PORT = new PortDeposit.StartedPort("inside", PortRole.INSIDE, "ring:x",
            3, 2, 1500, 8191, 0x02_4e_47_00_03_01L, true, "", 0x1000L, 0x2000L, 0x3000L, -42L,
            new long[]{0xc612_0002L, 0x02_00_00_00_00_02L});

    private final List<Engine> engines = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Engine e : engines) {
            e.stop();
        }
    }

    @Test
    void theKeysTheirTypesAndTheVersionArePinned() {
        assertThat(PortDeposit.VERSION).isEqualTo(1);
        assertThat(PortDeposit.OWNER).isEqualTo("dataplane");
        assertThat(PortDeposit.PORTS).isEqualTo("ports");
        assertThat(PortDeposit.TAKEN).isEqualTo("taken");
        Map<String, Class<?>> pinned = new LinkedHashMap<>();
        pinned.put("name", String.class);
        pinned.put("role", String.class);
        pinned.put("device", String.class);
        pinned.put("id", Integer.class);
        pinned.put("queues", Integer.class);
        pinned.put("mtu", Integer.class);
        pinned.put("mbufs", Integer.class);
        pinned.put("mac", Long.class);
        pinned.put("rss", Boolean.class);
        pinned.put("vdev", String.class);
        pinned.put("pool", Long.class);
        pinned.put("ringRx", Long.class);
        pinned.put("ringTx", Long.class);
        pinned.put("rssHash", Long.class);
        pinned.put("neighbours", long[].class);
        assertThat(PortDeposit.PORT_KEYS).containsExactlyEntriesOf(pinned);

        Map<String, Object> written = PortDeposit.write(PORT);
        assertThat(written.keySet()).containsExactlyElementsOf(pinned.keySet());
        assertThat(written).containsEntry("role", "INSIDE").containsEntry("id", 3).containsEntry("rssHash", -42L);
        for (Map.Entry<String, Object> e : written.entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).isInstanceOf(pinned.get(e.getKey()));
        }
    }

    @Test
    void aPortReadsBackAsItWasWritten() {
        PortDeposit.StartedPort back = PortDeposit.read(PortDeposit.write(PORT));
        assertThat(back).usingRecursiveComparison().isEqualTo(PORT);
    }

    @Test
    void aKeyMissingOrOfAnotherTypeIsNamed() {
        Map<String, Object> d = new HashMap<>(PortDeposit.write(PORT));
        d.remove("mtu");
        assertThatThrownBy(() -> PortDeposit.read(d)).hasMessage("port key mtu is missing, not a Integer");
        d.put("mtu", 1500L);
        assertThatThrownBy(() -> PortDeposit.read(d)).hasMessage("port key mtu is a Long, not a Integer");
        d.put("mtu", 1500);
        d.put("role", "SIDEWAYS");
        assertThatThrownBy(() -> PortDeposit.read(d)).hasMessageContaining("role");
    }

    private Engine engine() {
        Engine e = new Engine(TestSettings.of(Map.of("inside.device", "ring:pdi", "outside.device", "ring:pdo",
                "outside.gateway", "", "workers.cpus", "none", "mbufs", 1023)));
        engines.add(e);
        return e;
    }

    /** Deposits real started ports as a revision of another format would, with its own clean-up. */
    @SuppressWarnings("MustBeClosedChecker") // the keeper owns the deposited arena
    private static AtomicBoolean depositAs(StateKeeperManager keeper, int version, List<Map<String, Object>> ports,
            List<PortDeposit.StartedPort> toClose) {
        AtomicBoolean taken = new AtomicBoolean();
        AtomicBoolean closed = new AtomicBoolean();
        Arena arena = Arena.ofShared();
        MemorySegment.NULL.reinterpret(0, arena, ignored -> {
            if (!taken.get()) {
                PortDeposit.close(toClose);
                closed.set(true);
            }
        });
        keeper.deposit(new StateDeposit(PortDeposit.OWNER, version, Map.of(PortDeposit.PORTS, ports,
                PortDeposit.TAKEN, taken), Map.of(), List.of(arena)));
        return closed;
    }

    /**
     * Hands real started ports over, deposits them in a spoilt format, and checks that the claim refuses them,
     * that the depositor's clean-up closes them and that a new engine opens the same ring names anew (which
     * fails while rings of that name exist).
     */
    private void refusedClosedAndOpenedAnew(int version, Consumer<List<Map<String, Object>>> spoil) {
        StateKeeperManager keeper = new StateKeeperManager();
        Engine first = engine();
        first.start();
        List<PortDeposit.StartedPort> handed = first.handOver();
        List<Map<String, Object>> written = new ArrayList<>();
        for (PortDeposit.StartedPort p : handed) {
            written.add(PortDeposit.write(p));
        }
        spoil.accept(written);
        AtomicBoolean closed = depositAs(keeper, version, written, handed);

        assertThat(PortDeposit.claim(keeper)).isEmpty();
        assertThat(closed).as("the depositor's clean-up closed the ports").isTrue();
        Engine next = engine();
        next.start();
        assertThat(next.adoptedPorts()).isZero();
    }

    @Test
    void aDepositOfAnotherVersionIsRefusedItsPortsClosedAndOpenedAnew() {
        refusedClosedAndOpenedAnew(PortDeposit.VERSION + 1, written -> {
        });
    }

    @Test
    void aDepositWithAKeyThatDoesNotReadIsRefusedWhole() {
        refusedClosedAndOpenedAnew(PortDeposit.VERSION, written -> written.getLast().remove("rssHash"));
    }

    @Test
    void aDepositOfThisFormatIsTakenAndItsPortsLeftRunning() {
        StateKeeperManager keeper = new StateKeeperManager();
        Engine first = engine();
        first.start();
        PortDeposit.deposit(keeper, first.handOver());

        List<PortDeposit.StartedPort> claimed = PortDeposit.claim(keeper);
        assertThat(claimed).extracting(PortDeposit.StartedPort::role).containsExactly(PortRole.INSIDE,
                PortRole.OUTSIDE);
        assertThat(keeper.deposits()).isEmpty();
        Engine next = engine();
        next.offer(claimed);
        next.start();
        assertThat(next.adoptedPorts()).isEqualTo(2);
    }
}
