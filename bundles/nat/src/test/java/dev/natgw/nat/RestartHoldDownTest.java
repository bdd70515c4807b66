package dev.natgw.nat;

import static dev.natgw.nat.testing.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.nat.internal.NatSettings;
import dev.natgw.nat.testing.FakeDataplane;
import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;
import dev.natgw.state.StateKeeperManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The port hold-down across a restart, with the real engine: the ports a translator held down or had in use when
 * it stopped are not handed out by the next translator (a new object, as after bin/stop and bin/start) until what
 * was left of their hold-down has passed. Run with one worker and with four.
 */
class RestartHoldDownTest {
    static final int GLOBAL = ip("198.19.0.1");
    static final int REMOTE = ip("198.19.0.100");
    static final Duration HOLD = Duration.ofSeconds(5);
    /** Sixteen ports, so the test can use every one. */
    static final PoolDefinition SMALL = new PoolDefinition("small", List.of(new Ipv4Range(GLOBAL, GLOBAL)), 2000,
            2015, MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_DEPENDENT, true, 0, false);

    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    Path file() {
        return dir.resolve("natgw/nat-hold-down.bin");
    }

    NatManager translator() {
        NatManager n = new NatManager(new NatSettings(Timeouts.RFC_DEFAULTS, 4096, 1024, HOLD, 1 << 16,
                OtherProtocolPolicy.DROP, false, 4096));
        n.setHoldDownFile(file());
        open.add(n::close);
        return n;
    }

    FakeDataplane dataplane(int workers, NatManager n) {
        FakeDataplane dp = new FakeDataplane(workers);
        open.add(dp);
        n.setClock(dp.clock());
        dp.attach(n);
        return dp;
    }

    static int inside(int i) {
        return ip("198.18.0.2") + i;
    }

    /** Sends one UDP packet out from inside host {@code i}; returns its outside port, or -1 if it was refused. */
    static int out(FakeDataplane dp, int i) {
        dp.clearOutputs();
        dp.receive(Frames.udp(inside(i), 5000, REMOTE, 53).build(), true);
        dp.run();
        if (dp.toOutside.isEmpty()) {
            return -1;
        }
        FrameView v = new FrameView(dp.toOutside.get(0).frame());
        v.assertChecksumsValid();
        return v.srcPort();
    }

    static PoolUsage usage(NatManager n) {
        return n.poolUsage().get(0);
    }

    /** Uses every port of the pool, from as many inside hosts as it takes; returns the hosts that got one. */
    static List<Integer> fill(FakeDataplane dp, NatManager n) {
        List<Integer> hosts = new ArrayList<>();
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 250 && ports.size() < 16; i++) {
            int port = out(dp, i);
            if (port >= 0) {
                hosts.add(i);
                ports.add(port);
            }
        }
        assertThat(ports).as("every port of the pool in use").hasSize(16);
        assertThat(usage(n).portsInUse()).isEqualTo(16);
        return hosts;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void portsHeldOrInUseAtStopStayHeldAfterTheRestartForWhatIsLeftOfTheirHoldDown(int workers) {
        NatManager first = translator();
        FakeDataplane dp = dataplane(workers, first);
        first.addPool(SMALL);
        List<Integer> hosts = fill(dp, first);
        // half the ports go into hold-down now, the other half are in use when the translator stops
        for (int k = 0; k < hosts.size() / 2; k++) {
            first.clearSessions(new SessionFilter(null, inside(hosts.get(k)), null, null));
        }
        assertThat(usage(first).portsHeld()).isEqualTo(hosts.size() / 2);
        dp.advance(Duration.ofSeconds(2));
        dp.close();
        first.close();
        assertThat(file()).exists();

        NatManager second = translator();
        FakeDataplane dp2 = dataplane(workers, second);
        assertThat(file()).as("read once and deleted").doesNotExist();
        second.addPool(SMALL);
        assertThat(usage(second).portsHeld()).as("every port held down again").isEqualTo(16);
        assertThat(out(dp2, 1000)).as("no port to give a new host").isEqualTo(-1);

        // the cleared ports had 3 s left, the ports in use a full 5 s
        dp2.advance(Duration.ofSeconds(4));
        assertThat(usage(second).portsHeld()).isEqualTo(16 - hosts.size() / 2);
        dp2.advance(Duration.ofSeconds(2));
        assertThat(usage(second).portsHeld()).isZero();
        assertThat(out(dp2, 1001)).isBetween(2000, 2015);
    }

    @Test
    void aCorruptFileIsIgnoredAndEveryPortServesAtOnce() throws IOException {
        Files.createDirectories(file().getParent());
        Files.write(file(), new byte[]{'N', 'G', 'H', 'D', 0, 0, 0, 1, 42});
        NatManager n = translator();
        FakeDataplane dp = dataplane(1, n);
        n.addPool(SMALL);
        assertThat(file()).doesNotExist();
        assertThat(usage(n).portsHeld()).isZero();
        fill(dp, n);
    }

    @Test
    void aStartThatAdoptsAHandOverLeavesTheHoldDownToTheHandedOverAllocators() {
        StateKeeperManager keeper = new StateKeeperManager();
        open.add(keeper::close);
        NatManager first = translator();
        first.setStateKeeper(keeper);
        FakeDataplane dp = dataplane(1, first);
        first.addPool(SMALL);
        List<Integer> hosts = fill(dp, first);
        first.clearSessions(new SessionFilter(null, inside(hosts.get(0)), null, null));

        // a bundle update: the old translator deposits its tables, the new one adopts them
        first.close();
        NatManager second = translator();
        second.setStateKeeper(keeper);
        second.setClock(dp.clock());
        dp.replace(second);
        assertThat(second.lastHandOver()).startsWith("adopted");
        assertThat(file()).as("the handed-over allocators hold the ports; the file would hold them twice")
                .doesNotExist();
        assertThat(usage(second).portsHeld()).isEqualTo(1);
        assertThat(usage(second).portsInUse()).isEqualTo(16);
    }
}
