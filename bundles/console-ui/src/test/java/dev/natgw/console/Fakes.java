package dev.natgw.console;

import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortRole;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.QueueStats;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.WorkerInfo;
import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.api.forwarder.RelaySession;
import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PortUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.TcpState;
import java.util.Map;
import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryListener;
import dev.natgw.api.status.ApplianceStatus;
import dev.natgw.api.status.BundleStatus;
import dev.natgw.api.status.DpdkInfo;
import dev.natgw.api.status.JdkInfo;
import dev.natgw.api.status.ServiceStatus;
import dev.natgw.api.status.StatusService;
import dev.natgw.testing.DataplaneAdapter;
import dev.natgw.testing.InMemoryNatAdmin;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simple in-test implementations of the natgw service contracts the console reads, for services that have no
 * implementation in this reactor yet (dataplane, forwarder) and for the others where a test wants set figures. Each
 * can be told to fail as a service does whose component is being deactivated.
 */
public final class Fakes {
    private Fakes() {
    }

    /** A NAT service whose calls throw while {@code gone} is set. */
    public static final class GoingNat extends InMemoryNatAdmin {
        public volatile boolean gone;

        @Override
        public synchronized dev.natgw.api.nat.NatCounters counters() {
            if (gone) {
                throw new IllegalStateException("component deactivated");
            }
            return super.counters();
        }

        @Override
        public synchronized List<dev.natgw.api.nat.PoolUsage> poolUsage() {
            if (gone) {
                throw new IllegalStateException("component deactivated");
            }
            return super.poolUsage();
        }
    }

    /** A dataplane with two ports and two workers whose counters the test moves; it cannot capture. */
    public static final class TestDataplane extends DataplaneAdapter {
        public final AtomicLong rx = new AtomicLong();
        public volatile boolean gone;

        @Override
        public List<PortInfo> ports() {
            check();
            return List.of(new PortInfo("inside", PortRole.INSIDE, "net_ring0", "02:00:00:00:00:01", 2, 2, 1500, true),
                    new PortInfo("outside", PortRole.OUTSIDE, "net_ring1", "02:00:00:00:00:02", 2, 2, 1500, false));
        }

        @Override
        public PortStats portStats(String port) {
            check();
            long r = rx.get();
            return new PortStats(port, r, r * 100, r / 2, r * 50, 3, 1, 2,
                    List.of(new QueueStats(0, r / 2, r * 50, r / 4, r * 25, 1), new QueueStats(1, r - r / 2,
                            r * 50, r / 4, r * 25, 2)));
        }

        @Override
        public List<WorkerInfo> workers() {
            check();
            return List.of(new WorkerInfo(0, 1, List.of("inside:0", "outside:0"), 10, rx.get() / 2, 0.5, 0.25),
                    new WorkerInfo(1, -1, List.of("inside:1", "outside:1"), 12, rx.get() - rx.get() / 2, 0.75, 0.5));
        }

        @Override
        public RssConfig rss() {
            return RssConfig.symmetricDefault(2);
        }

        @Override
        public List<String> stages() {
            check();
            return List.of("arp", "nat");
        }

        private void check() {
            if (gone) {
                throw new IllegalStateException("dataplane stopping");
            }
        }
    }

    /** A forwarder with one server and one relay whose byte count the test moves. */
    public static final class TestForwarder implements ForwarderService {
        public final AtomicLong bytes = new AtomicLong();
        private final Instant t0 = Instant.parse("2026-11-21T10:00:00Z");

        @Override
        public ForwarderInfo info() {
            return new ForwarderInfo(ForwarderState.LISTENING, new InetSocketAddress("127.0.0.1", 7443), true,
                    "127.0.0.1:7443", t0);
        }

        @Override
        public List<RegisteredServer> servers() {
            return List.of(new RegisteredServer("camera-1", new InetSocketAddress("127.0.0.1", 50000), t0,
                    t0.plusSeconds(30), 0, 1));
        }

        @Override
        public List<RelaySession> sessions(int limit) {
            return List.of(new RelaySession(7, "camera-1", new InetSocketAddress("127.0.0.1", 50001),
                    new InetSocketAddress("127.0.0.1", 50002), t0.plusSeconds(5), bytes.get() / 2,
                    bytes.get() - bytes.get() / 2)).subList(0, Math.min(1, limit));
        }

        @Override
        public ForwarderCounters counters() {
            return new ForwarderCounters(1, 0, 1, 0, 1, 0, bytes.get(), 1, 0);
        }

        @Override
        public dev.natgw.api.forwarder.ForwarderLoad load() {
            return new dev.natgw.api.forwarder.ForwarderLoad(3, 20000, 1, 10000, 0, 1, 0, 0, 0);
        }
    }

    /** A registry that keeps entries in a list, expiring by a clock the test gives. */
    public static final class TestRegistry implements Registry {
        private final List<RegistryEntry> entries = new ArrayList<>();
        private final Clock clock;

        public TestRegistry(Clock clock) {
            this.clock = clock;
        }

        @Override
        public synchronized RegistryEntry announce(String key, String value, Duration ttl) {
            entries.removeIf(e -> e.key().equals(key) && e.value().equals(value));
            RegistryEntry e = new RegistryEntry(key, value, "test", clock.instant().plus(ttl));
            entries.add(e);
            return e;
        }

        @Override
        public synchronized List<RegistryEntry> lookup(String key, int max) {
            Instant now = clock.instant();
            return entries.stream().filter(e -> e.key().equals(key) && e.expires().isAfter(now)).limit(max).toList();
        }

        @Override
        public synchronized List<RegistryEntry> list(String prefix, int max) {
            if (max < 1) {
                throw new IllegalArgumentException("max must be at least 1, was " + max);
            }
            Instant now = clock.instant();
            return entries.stream().filter(e -> e.key().startsWith(prefix) && e.expires().isAfter(now))
                    .sorted(java.util.Comparator.comparing(RegistryEntry::key)).limit(max).toList();
        }

        @Override
        public synchronized boolean withdraw(String key, String value) {
            return entries.removeIf(e -> e.key().equals(key) && e.value().equals(value));
        }

        @Override
        public Watch watch(String key, RegistryListener listener) {
            return () -> {
            };
        }

        @Override
        public String backend() {
            return BACKEND_EMBEDDED;
        }
    }

    /** A status service reporting a fixed set of bundles. */
    public static final class TestStatus implements StatusService {
        public volatile String natState = "ACTIVE";

        @Override
        public ApplianceStatus status() {
            return new ApplianceStatus("0.1.0", Instant.parse("2026-11-21T10:00:00Z"),
                    List.of(new BundleStatus(30, "dev.natgw.api", "0.1.0", "ACTIVE", 0),
                            new BundleStatus(31, "dev.natgw.nat", "0.1.0", natState, 0)),
                    List.of(new ServiceStatus("dev.natgw.api.nat.NatService",
                            natState.equals("ACTIVE") ? List.of(31L) : List.of()),
                            new ServiceStatus("dev.natgw.api.dataplane.Dataplane", List.of())),
                    new JdkInfo("25", "test", "/jdk", true), new DpdkInfo(false, "", List.of(), "install DPDK"));
        }
    }

    /** {@return a NAT with one pool of two addresses, two workers, five sessions and some drops} */
    public static GoingNat natWithFigures() {
        GoingNat nat = new GoingNat();
        nat.addPool(PoolDefinition.of("default", List.of(Ipv4Range.parse("198.19.0.1-198.19.0.2"))));
        int a1 = Ipv4.parse("198.19.0.1");
        int a2 = Ipv4.parse("198.19.0.2");
        nat.setPortUsage(
                List.of(new PortUsage("default", a1, 0, 1000, 10, 4), new PortUsage("default", a1, 1, 1000, 5, 1),
                        new PortUsage("default", a2, 0, 1000, 0, 0), new PortUsage("default", a2, 1, 1000, 7, 2)));
        nat.setHeldPorts("default", 3);
        nat.setSessions(List.of(
                session(Protocol.TCP, 2, 40000, 1030, TcpState.ESTABLISHED),
                session(Protocol.TCP, 3, 40001, 1031, TcpState.ESTABLISHED),
                session(Protocol.TCP, 4, 40002, 1032, TcpState.FIN_IN),
                session(Protocol.UDP, 2, 5353, 1033, TcpState.NONE),
                session(Protocol.ICMP, 5, 77, 1034, TcpState.NONE)));
        nat.setCounters(new NatCounters(9, 4, 5, 1000, 800, 2, 1, 3, 0,
                Map.of("truncated", 4L, "fragment", 9L, "filtered", 0L, "bad-l4-checksum", 4L),
                Map.of(TcpState.ESTABLISHED, 2L, TcpState.FIN_IN, 1L)));
        return nat;
    }

    /** {@return a session of host 198.18.0.HOST to 198.19.0.200:443 through 198.19.0.1} */
    public static SessionInfo session(Protocol p, int host, int port, int outsidePort, TcpState state) {
        return new SessionInfo(p, new Endpoint(Ipv4.parse("198.18.0." + host), port),
                new Endpoint(Ipv4.parse("198.19.0.1"), outsidePort), new Endpoint(Ipv4.parse("198.19.0.200"), 443),
                state, 1500, 0, "default", 61_500);
    }

}
