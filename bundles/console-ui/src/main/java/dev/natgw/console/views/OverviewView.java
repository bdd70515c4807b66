package dev.natgw.console.views;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.NativeTable;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.router.RouteAlias;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.TcpState;
import dev.natgw.console.model.OverviewModel;
import dev.natgw.console.model.RateHistory;
import dev.natgw.console.model.Reading;
import dev.natgw.console.model.SvgChart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Port pools, sessions, rates and drops: the NAT at a glance. */
@Route(value = "", layout = MainLayout.class)
@RouteAlias(value = "overview", layout = MainLayout.class)
@PageTitle("natgw - overview")
public final class OverviewView extends LiveView {
    private static final long serialVersionUID = 1L;

    private final VerticalLayout content = new VerticalLayout();
    private final Span sessions = new Span();
    private final transient NatTables tables = new NatTables();
    private final Div chart = new Div();
    private final transient RateHistory history;
    private final transient dev.natgw.console.model.SharedReading<OverviewModel.Snapshot> shared;

    /** Builds the view. */
    public OverviewView() {
        super("Overview");
        history = dev.natgw.console.internal.ConsoleServlet.current().history();
        shared = dev.natgw.console.internal.ConsoleServlet.current().overview();
        sessions.setId("sessions-alive");
        chart.setId("rates-chart");
        content.setPadding(false);
        content.add(new Div(new Span("Sessions alive: "), sessions), new H3("Port pools"), tables.pools,
                new H3("Subscriber limits per inside host"), tables.limits,
                new H3("Per outside address"), tables.addresses, new H3("Per worker"), tables.workers,
                new H3("Sessions by protocol"), tables.protocols, new H3("TCP sessions by state"), tables.states,
                new H3("Rates"), chart, new H3("Counters"), tables.counters, new H3("Drops by reason"), tables.drops);
        add(content);
    }

    @Override
    protected void refresh() {
        Reading<OverviewModel.Snapshot> r = shared.get(() -> OverviewModel.read(services.nat()));
        drawChart();
        if (!show(r, content)) {
            return;
        }
        OverviewModel.Snapshot s = r.value();
        sessions.setText(Long.toString(s.sessions()));
        tables.fill(s);
    }

    private void drawChart() {
        List<RateHistory.Point> points = history.points();
        double[] created = points.stream().mapToDouble(RateHistory.Point::newSessionsPerSecond).toArray();
        double[] packets = points.stream().mapToDouble(RateHistory.Point::packetsPerSecond).toArray();
        String svg = SvgChart.render("per second, last 5 minutes", 720, 220, history.capacity(),
                List.of(new SvgChart.Series("new sessions/s", "#d9480f", created),
                        new SvgChart.Series("packets/s", "#1c7ed6", packets)));
        chart.getElement().setProperty("innerHTML", svg);
    }

    /** The Overview's tables. */
    static final class NatTables {
        final NativeTable pools = Tables.table("pools");
        final NativeTable limits = Tables.table("limits");
        final NativeTable addresses = Tables.table("addresses");
        final NativeTable workers = Tables.table("workers");
        final NativeTable protocols = Tables.table("protocols");
        final NativeTable states = Tables.table("tcp-states");
        final NativeTable counters = Tables.table("counters");
        final NativeTable drops = Tables.table("drops");

        void fill(OverviewModel.Snapshot s) {
            List<List<String>> rows = new ArrayList<>();
            for (PoolUsage p : s.pools()) {
                rows.add(List.of(p.pool(), n(p.addresses()), n(p.portsMapped()), n(p.portsHeld()), n(p.portsFree()),
                        n(p.portsTotal()), String.format(java.util.Locale.ROOT, "%.2f%%", 100 * p.usedShare())));
            }
            Tables.fill(pools, List.of("Pool", "Addresses", "Used", "In hold", "Free", "Total", "Busy share"), rows);
            List<List<String>> lim = new ArrayList<>();
            for (PoolDefinition p : s.definitions()) {
                SubscriberLimits l = p.limits();
                lim.add(List.of(p.name(), limit(p.perHostPortQuota()), limit(l.sessionsPerHost()),
                        l.mappingsPerSecond() == 0
                                ? "none"
                                : l.mappingsPerSecond() + "/s, " + l.mappingBurst() + " at once",
                        limit(l.inboundSessionsPerMapping())));
            }
            Tables.fill(limits, List.of("Pool", "Ports per protocol", "Sessions", "New mappings",
                    "Sessions a mapping holds for inbound"), lim);
            Tables.fill(addresses, List.of("Address", "Pool", "Used", "In hold", "Free", "Total"),
                    portRows(s.byAddress()));
            Tables.fill(workers, List.of("Worker", "Pool", "Used", "In hold", "Free", "Total"), portRows(s.byWorker()));
            List<List<String>> proto = new ArrayList<>();
            for (Protocol p : Protocol.values()) {
                proto.add(List.of(p.name(), n(s.byProtocol().getOrDefault(p, 0L))));
            }
            Tables.fill(protocols, List.of("Protocol", "Sessions"), proto);
            List<List<String>> st = new ArrayList<>();
            for (TcpState t : TcpState.values()) {
                if (t != TcpState.NONE) {
                    st.add(List.of(t.name(), n(s.tcpStates().getOrDefault(t, 0L))));
                }
            }
            Tables.fill(states, List.of("State", "Sessions"), st);
            NatCounters c = s.counters();
            Tables.fill(counters, List.of("Counter", "Value"), List.of(
                    List.of("sessions created", n(c.sessionsCreated())),
                    List.of("sessions deleted", n(c.sessionsDeleted())),
                    List.of("sessions active", n(c.sessionsActive())),
                    List.of("packets in2out", n(c.packetsIn2Out())),
                    List.of("packets out2in", n(c.packetsOut2In())),
                    List.of("refused: pool exhausted", n(c.refusedExhausted())),
                    List.of("refused: host quota", n(c.refusedQuota())),
                    List.of("handoffs", n(c.handoffs())),
                    List.of("handoff drops", n(c.handoffDrops()))));
            List<List<String>> d = new ArrayList<>();
            for (Map.Entry<String, Long> e : s.drops().entrySet()) {
                d.add(List.of(e.getKey(), n(e.getValue())));
            }
            Tables.fill(drops, List.of("Drop reason", "Packets"), d);
        }

        private static List<List<String>> portRows(List<OverviewModel.PortRow> in) {
            List<List<String>> rows = new ArrayList<>();
            for (OverviewModel.PortRow r : in) {
                rows.add(List.of(r.key(), r.pool(), n(r.used()), n(r.held()), n(r.free()), n(r.total())));
            }
            return rows;
        }

        private static String limit(int v) {
            return v == 0 ? "none" : Integer.toString(v);
        }

        private static String n(long v) {
            return Long.toString(v);
        }
    }
}
