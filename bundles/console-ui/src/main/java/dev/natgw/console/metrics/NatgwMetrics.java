package dev.natgw.console.metrics;

import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.WorkerInfo;
import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.api.nat.EventExportService;
import dev.natgw.api.nat.EventExportStats;
import dev.natgw.api.nat.FragmentUsage;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.api.nat.PortUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.TcpState;
import dev.natgw.console.internal.ServiceBridge;
import dev.natgw.console.model.OverviewModel;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * natgw's metrics, read from the services at each scrape (nothing is cached between scrapes). A service that is
 * absent gives {@code natgw_<area>_up 0} and none of its other metrics; one that goes away during the scrape is
 * treated as absent. The names are listed in docs/manual/console.md.
 */
public final class NatgwMetrics implements MultiCollector {
    private final ServiceBridge services;
    private final Supplier<EventExportService> export;

    /** @param services the services; no event export */
    public NatgwMetrics(ServiceBridge services) {
        this(services, () -> null);
    }

    /**
     * @param services the services
     * @param export the NAT event export service now, or null while it is absent
     */
    public NatgwMetrics(ServiceBridge services, Supplier<EventExportService> export) {
        this.services = services;
        this.export = export;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        out.addAll(area("nat", services.nat(), this::nat));
        out.addAll(area("nat_export", export.get(), NatgwMetrics::export));
        out.addAll(area("dataplane", services.dataplane(), this::dataplane));
        out.addAll(area("forwarder", services.forwarder(), this::forwarder));
        out.add(up("registry", services.registry() != null));
        return new MetricSnapshots(out);
    }

    private interface Reader<S> {
        List<MetricSnapshot> read(S service);
    }

    private static <S> List<MetricSnapshot> area(String name, S service, Reader<S> reader) {
        List<MetricSnapshot> out = new ArrayList<>();
        if (service != null) {
            try {
                out.addAll(reader.read(service));
            } catch (RuntimeException gone) {
                out.clear();
                service = null;
            }
        }
        out.add(0, up(name, service != null));
        return out;
    }

    private static GaugeSnapshot up(String area, boolean up) {
        return GaugeSnapshot.builder().name("natgw_" + area + "_up")
                .help("1 while the " + area + " service is registered, else 0")
                .dataPoint(GaugeDataPointSnapshot.builder().value(up ? 1 : 0).build()).build();
    }

    private List<MetricSnapshot> nat(NatService nat) {
        List<MetricSnapshot> out = new ArrayList<>();
        List<PoolUsage> pools = nat.poolUsage();
        Gauges total = new Gauges("natgw_nat_pool_ports", "Address-port pairs of the pool (TCP, UDP and ICMP"
                + " spaces together)");
        Gauges inUse = new Gauges("natgw_nat_pool_ports_in_use", "Pairs of the pool mapped or in hold-down");
        Gauges held = new Gauges("natgw_nat_pool_ports_held", "Pairs of the pool in hold-down (counted in use too)");
        Gauges sessions = new Gauges("natgw_nat_sessions", "Live sessions per pool and protocol");
        Gauges addrTotal = new Gauges("natgw_nat_address_worker_ports", "Pairs of one outside address a worker owns");
        Gauges addrUsed = new Gauges("natgw_nat_address_worker_ports_in_use", "Pairs of one outside address a worker"
                + " has mapped or in hold-down");
        Gauges addrHeld = new Gauges("natgw_nat_address_worker_ports_held", "Pairs of one outside address a worker"
                + " has in hold-down (counted in use too)");
        for (PoolUsage p : pools) {
            Labels pool = Labels.of("pool", p.pool());
            total.add(pool, p.portsTotal());
            inUse.add(pool, p.portsInUse());
            held.add(pool, p.portsHeld());
            sessions.add(Labels.of("pool", p.pool(), "protocol", "tcp"), p.tcpSessions());
            sessions.add(Labels.of("pool", p.pool(), "protocol", "udp"), p.udpSessions());
            sessions.add(Labels.of("pool", p.pool(), "protocol", "icmp"), p.icmpSessions());
            for (PortUsage u : nat.portUsage(p.pool())) {
                Labels l = Labels.of("pool", p.pool(), "address", Ipv4.format(u.address()), "worker",
                        String.valueOf(u.worker()));
                addrTotal.add(l, u.portsTotal());
                addrUsed.add(l, u.portsInUse());
                addrHeld.add(l, u.portsHeld());
            }
        }
        NatCounters c = nat.counters();
        Gauges byState = new Gauges("natgw_nat_tcp_sessions", "Live TCP sessions per state, exact (counted by the"
                + " workers)");
        OverviewModel.tcpStates(c).forEach(
                (s, n) -> byState.add(Labels.of("state", s.name().toLowerCase(java.util.Locale.ROOT)), n));
        Gauges alive = new Gauges("natgw_nat_sessions_alive", "Live sessions over all workers");
        alive.add(Labels.EMPTY, nat.sessionCount());
        Gauges limits = new Gauges("natgw_nat_pool_limit", "The pool's subscriber limits per inside host (0 for none):"
                + " ports per protocol, sessions, new mappings a second and at once, and sessions a mapping may hold"
                + " for an outside packet to open one more");
        for (PoolDefinition d : nat.pools()) {
            SubscriberLimits l = d.limits();
            limits.add(Labels.of("pool", d.name(), "limit", "ports_per_host"), d.perHostPortQuota());
            limits.add(Labels.of("pool", d.name(), "limit", "sessions_per_host"), l.sessionsPerHost());
            limits.add(Labels.of("pool", d.name(), "limit", "new_mappings_per_second"), l.mappingsPerSecond());
            limits.add(Labels.of("pool", d.name(), "limit", "new_mappings_burst"), l.mappingBurst());
            limits.add(Labels.of("pool", d.name(), "limit", "inbound_sessions_per_mapping"),
                    l.inboundSessionsPerMapping());
        }
        out.addAll(List.of(total.build(), inUse.build(), held.build(), sessions.build(), addrTotal.build(),
                addrUsed.build(), addrHeld.build(), byState.build(), alive.build(), limits.build()));

        out.add(counter("natgw_nat_sessions_created", "Sessions created", Labels.EMPTY, c.sessionsCreated()));
        out.add(counter("natgw_nat_sessions_deleted", "Sessions deleted (expired, closed or cleared)", Labels.EMPTY,
                c.sessionsDeleted()));
        Counters packets = new Counters("natgw_nat_packets", "Packets translated, per direction");
        packets.add(Labels.of("direction", "in2out"), c.packetsIn2Out());
        packets.add(Labels.of("direction", "out2in"), c.packetsOut2In());
        out.add(packets.build());
        Counters refused = new Counters("natgw_nat_sessions_refused", "New sessions refused, per reason");
        refused.add(Labels.of("reason", "exhausted"), c.refusedExhausted());
        refused.add(Labels.of("reason", "quota"), c.refusedQuota());
        out.add(refused.build());
        out.add(counter("natgw_nat_handoffs", "Packets handed to the worker owning their session", Labels.EMPTY,
                c.handoffs()));
        out.add(counter("natgw_nat_handoff_drops", "Packets dropped because the owner's ring was full",
                Labels.EMPTY, c.handoffDrops()));
        Counters drops = new Counters("natgw_nat_drops", "Packets dropped by the translator, per reason");
        new LinkedHashMap<>(c.drops()).forEach((reason, n) -> drops.add(Labels.of("reason", reason), n));
        out.add(drops.build());
        out.addAll(fragments(nat.fragmentUsage()));
        return out;
    }

    private static List<MetricSnapshot> fragments(List<FragmentUsage> usage) {
        Gauges datagrams = new Gauges("natgw_nat_fragment_datagrams", "Datagrams whose fragments the worker tracks"
                + " now (bounded by fragment.states)");
        Gauges held = new Gauges("natgw_nat_fragments_held", "Fragments the worker holds now, waiting for their"
                + " datagram's first fragment or to be sent (bounded by fragment.held)");
        Gauges bytes = new Gauges("natgw_nat_fragment_table_bytes", "Heap bytes of the worker's fragment table");
        for (FragmentUsage u : usage) {
            Labels worker = Labels.of("worker", String.valueOf(u.worker()));
            datagrams.add(worker, u.datagrams());
            held.add(worker, u.held());
            bytes.add(worker, u.tableBytes());
        }
        return List.of(datagrams.build(), held.build(), bytes.build());
    }

    private static List<MetricSnapshot> export(EventExportService service) {
        EventExportStats s = service.stats();
        Gauges enabled = new Gauges("natgw_nat_export_enabled", "1 while NAT events are exported (an IPFIX collector"
                + " or a syslog server is configured), else 0; the counters start at 0 when the export's"
                + " configuration changes");
        enabled.add(Labels.EMPTY, s == null ? 0 : 1);
        if (s == null) {
            return List.of(enabled.build());
        }
        Gauges queued = new Gauges("natgw_nat_export_events_queued", "NAT events waiting for the export thread");
        queued.add(Labels.EMPTY, s.queued());
        Counters messages = new Counters("natgw_nat_export_ipfix_messages", "IPFIX messages handed to the socket,"
                + " per collector");
        Counters records = new Counters("natgw_nat_export_ipfix_records", "IPFIX data records sent, per collector");
        Counters lost = new Counters("natgw_nat_export_ipfix_records_lost", "IPFIX data records lost (connection"
                + " down, send buffer full or a send error), per collector");
        for (EventExportStats.Collector c : s.collectors()) {
            Labels l = Labels.of("collector", c.address(), "transport", c.transport());
            messages.add(l, c.messages());
            records.add(l, c.records());
            lost.add(l, c.lost());
        }
        return List.of(enabled.build(), queued.build(),
                counter("natgw_nat_export_events", "NAT events taken from the queue and exported", Labels.EMPTY,
                        s.exported()),
                counter("natgw_nat_export_events_lost", "NAT events lost because the export queue was full",
                        Labels.EMPTY, s.queueFull()),
                counter("natgw_nat_export_syslog_messages", "Syslog messages sent", Labels.EMPTY, s.syslogSent()),
                counter("natgw_nat_export_syslog_messages_lost", "Syslog messages the socket did not take",
                        Labels.EMPTY, s.syslogLost()),
                messages.build(), records.build(), lost.build());
    }

    private List<MetricSnapshot> dataplane(Dataplane d) {
        Counters packets = new Counters("natgw_dataplane_port_packets", "Packets per port and direction");
        Counters bytes = new Counters("natgw_dataplane_port_bytes", "Bytes per port and direction");
        Counters dropped = new Counters("natgw_dataplane_port_dropped", "Packets dropped for lack of room, per port"
                + " and direction");
        Counters errors = new Counters("natgw_dataplane_port_rx_errors", "Received packets with errors, per port");
        Gauges up = new Gauges("natgw_dataplane_port_link_up", "1 while the port's link is up");
        for (PortInfo p : d.ports()) {
            PortStats s = d.portStats(p.name());
            packets.add(Labels.of("port", p.name(), "direction", "rx"), s.rxPackets());
            packets.add(Labels.of("port", p.name(), "direction", "tx"), s.txPackets());
            bytes.add(Labels.of("port", p.name(), "direction", "rx"), s.rxBytes());
            bytes.add(Labels.of("port", p.name(), "direction", "tx"), s.txBytes());
            dropped.add(Labels.of("port", p.name(), "direction", "rx"), s.rxDropped());
            dropped.add(Labels.of("port", p.name(), "direction", "tx"), s.txDropped());
            errors.add(Labels.of("port", p.name()), s.rxErrors());
            up.add(Labels.of("port", p.name()), p.up() ? 1 : 0);
        }
        Counters workerPackets = new Counters("natgw_dataplane_worker_packets", "Packets received per worker");
        Gauges busy = new Gauges("natgw_dataplane_worker_busy_ratio", "Share of time a worker spends on non-empty"
                + " bursts, 0..1");
        for (WorkerInfo w : d.workers()) {
            workerPackets.add(Labels.of("worker", String.valueOf(w.id())), w.packets());
            busy.add(Labels.of("worker", String.valueOf(w.id())), w.busyShare());
        }
        return List.of(packets.build(), bytes.build(), dropped.build(), errors.build(), up.build(),
                workerPackets.build(), busy.build());
    }

    private List<MetricSnapshot> forwarder(ForwarderService f) {
        ForwarderCounters c = f.counters();
        List<RegisteredServer> servers = f.servers();
        Gauges registered = new Gauges("natgw_forwarder_servers", "Servers registered now");
        registered.add(Labels.EMPTY, servers.size());
        Gauges relays = new Gauges("natgw_forwarder_relays_open", "Relays open now");
        relays.add(Labels.EMPTY, servers.stream().mapToLong(RegisteredServer::activeRelays).sum());
        ForwarderState now = f.info().state();
        Gauges state = new Gauges("natgw_forwarder_state", "1 for the forwarder's listener state now, 0 for the"
                + " others");
        for (ForwarderState st : ForwarderState.values()) {
            state.add(Labels.of("state", st.name().toLowerCase(java.util.Locale.ROOT)), st == now ? 1 : 0);
        }
        return List.of(registered.build(), relays.build(), state.build(),
                counter("natgw_forwarder_registrations", "Servers registered since start", Labels.EMPTY,
                        c.registrations()),
                counter("natgw_forwarder_registrations_rejected", "Registrations refused", Labels.EMPTY,
                        c.registrationsRejected()),
                counter("natgw_forwarder_clients_accepted", "Clients accepted", Labels.EMPTY, c.clientsAccepted()),
                counter("natgw_forwarder_clients_rejected", "Clients refused", Labels.EMPTY, c.clientsRejected()),
                counter("natgw_forwarder_relays_opened", "Relays begun", Labels.EMPTY, c.relaysOpened()),
                counter("natgw_forwarder_relays_closed", "Relays ended", Labels.EMPTY, c.relaysClosed()),
                counter("natgw_forwarder_relayed_bytes", "Bytes relayed, both directions", Labels.EMPTY,
                        c.bytesRelayed()),
                counter("natgw_forwarder_probes", "Reachability probes", Labels.EMPTY, c.probes()),
                counter("natgw_forwarder_heartbeats_missed", "Control connections dropped for missed heartbeats",
                        Labels.EMPTY, c.heartbeatsMissed()));
    }

    private static CounterSnapshot counter(String name, String help, Labels labels, double value) {
        Counters c = new Counters(name, help);
        c.add(labels, value);
        return c.build();
    }

    /** A gauge family being built. */
    private static final class Gauges {
        private final GaugeSnapshot.Builder builder;

        Gauges(String name, String help) {
            builder = GaugeSnapshot.builder().name(name).help(help);
        }

        void add(Labels labels, double value) {
            builder.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        GaugeSnapshot build() {
            return builder.build();
        }
    }

    /** A counter family being built; the text format adds {@code _total} to the name. */
    private static final class Counters {
        private final CounterSnapshot.Builder builder;

        Counters(String name, String help) {
            builder = CounterSnapshot.builder().name(name).help(help);
        }

        void add(Labels labels, double value) {
            builder.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        CounterSnapshot build() {
            return builder.build();
        }
    }
}
