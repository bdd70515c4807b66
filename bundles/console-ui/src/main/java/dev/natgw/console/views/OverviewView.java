package dev.natgw.console.views;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.NativeTable;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.router.RouteAlias;
import com.vaadin.flow.router.RouterLink;
import dev.natgw.api.nat.NatCounters;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.PoolUsage;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SubscriberLimits;
import dev.natgw.api.nat.TcpState;
import dev.natgw.console.internal.ConsoleServlet;
import dev.natgw.console.model.Human;
import dev.natgw.console.model.OverviewModel;
import dev.natgw.console.model.RateHistory;
import dev.natgw.console.model.Reading;
import dev.natgw.console.model.SharedReading;
import dev.natgw.console.model.SvgBars;
import dev.natgw.console.model.SvgChart;
import dev.natgw.console.model.TopHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The NAT at a glance: the figures now, a chart per rate over 5 min or 1 h, port use as bars per pool, outside
 * address and worker, drops by reason, the busiest inside hosts; the detail tables below.
 */
@Route(value = "", layout = MainLayout.class)
@RouteAlias(value = "overview", layout = MainLayout.class)
@PageTitle("natgw - overview")
public final class OverviewView extends LiveView {
    private static final long serialVersionUID = 1L;
    /** The most bars per outside address or per worker drawn, the fullest first. */
    static final int BARS_SHOWN = 32;
    /** The most hosts each top list shows. */
    static final int TOP_HOSTS = 10;

    private final VerticalLayout content = new VerticalLayout();
    private final Span sessions = tileValue("sessions-alive");
    private final Span newSessions = tileValue("tile-new-sessions");
    private final Span packetsIn = tileValue("tile-packets-in");
    private final Span packetsOut = tileValue("tile-packets-out");
    private final Span dropsNow = tileValue("tile-drops");
    private final Span portsUsed = tileValue("tile-ports-used");
    private final RadioButtonGroup<RateHistory.Range> range = new RadioButtonGroup<>();
    private final transient List<ChartSlot> charts = List.of(
            new ChartSlot("chart-sessions", "live sessions", " sessions", "#5f3dc4", RateHistory.Point::sessions),
            new ChartSlot("chart-new-sessions", "new sessions/s", "/s", "#d9480f",
                    RateHistory.Point::newSessionsPerSecond),
            new ChartSlot("chart-packets-in", "packets/s inside to outside", "/s", "#1c7ed6",
                    RateHistory.Point::packetsInPerSecond),
            new ChartSlot("chart-packets-out", "packets/s outside to inside", "/s", "#0ca678",
                    RateHistory.Point::packetsOutPerSecond),
            new ChartSlot("chart-drops", "drops/s", "/s", "#e03131", RateHistory.Point::dropsPerSecond));
    private final Div poolBars = box("pool-bars");
    private final Div addressBars = box("address-bars");
    private final Div workerBars = box("worker-bars");
    private final Span barsNote = new Span();
    private final H3 dropsTitle = new H3("Drops by reason");
    private final Div dropsChart = box("drops-chart");
    private final NativeTable dropTotals = Tables.table("drops");
    private final NativeTable topSessions = Tables.table("top-sessions");
    private final NativeTable topPorts = Tables.table("top-ports");
    private final Span topNote = new Span();
    private final NativeTable limits = Tables.table("limits");
    private final NativeTable protocols = Tables.table("protocols");
    private final NativeTable states = Tables.table("tcp-states");
    private final NativeTable counters = Tables.table("counters");
    private final transient RateHistory history;
    private final transient SharedReading<OverviewModel.Snapshot> shared;
    private final transient SharedReading<TopHosts.Snapshot> top;
    private final int topLimit;

    /** Builds the view. */
    public OverviewView() {
        super("Overview");
        ConsoleServlet servlet = ConsoleServlet.current();
        history = servlet.history();
        shared = servlet.overview();
        top = servlet.topHosts();
        topLimit = servlet.sessionsGridMax();
        content.setPadding(false);
        content.setWidthFull();

        Div tiles = new Div(tile("Sessions alive", sessions), tile("New sessions/s", newSessions),
                tile("Packets/s inside to outside", packetsIn), tile("Packets/s outside to inside", packetsOut),
                tile("Drops/s", dropsNow), tile("Ports used, fullest pool", portsUsed));
        tiles.addClassName("natgw-tiles");

        range.setId("rates-range");
        range.setItems(RateHistory.Range.values());
        range.setItemLabelGenerator(RateHistory.Range::label);
        range.setValue(RateHistory.Range.FIVE_MINUTES);
        range.addValueChangeListener(e -> drawCharts());
        HorizontalLayout ratesHead = new HorizontalLayout(new H3("Rates"), range);
        ratesHead.setAlignItems(FlexComponent.Alignment.BASELINE);
        Div chartGrid = new Div();
        chartGrid.setId("rates-chart");
        chartGrid.addClassName("natgw-charts");
        charts.forEach(c -> chartGrid.add(c.box));

        barsNote.setId("bars-note");
        barsNote.addClassName("natgw-note");
        Div ports = column(new H3("Port pools"), poolBars, new H4("Per outside address"), addressBars,
                new H4("Per worker"), workerBars, barsNote);
        Span totalsHead = new Span("Since the translator started, as nat:stats:");
        totalsHead.addClassName("natgw-note");
        Div drops = column(dropsTitle, dropsChart, totalsHead, dropTotals);
        Div row1 = columns(ports, drops);
        row1.addClassName("natgw-wide-first");

        topNote.setId("top-note");
        topNote.addClassName("natgw-note");
        Div hosts = columns(column(new H3("Top inside hosts by sessions"), topSessions),
                column(new H3("Top inside hosts by ports"), topPorts));
        Div details = columns(column(new H3("Sessions by protocol"), protocols),
                column(new H3("TCP sessions by state"), states), column(new H3("Counters"), counters));

        content.add(tiles, ratesHead, chartGrid, row1, hosts, topNote, details,
                new H3("Subscriber limits per inside host"), limits);
        add(content);
    }

    @Override
    protected void refresh() {
        drawCharts();
        Reading<OverviewModel.Snapshot> r = shared.get(() -> OverviewModel.read(services.nat()));
        if (!show(r, content)) {
            return;
        }
        OverviewModel.Snapshot s = r.value();
        setText(sessions, Long.toString(s.sessions()));
        fillPorts(s);
        fillDrops(s);
        fillTables(s);
        Reading<TopHosts.Snapshot> t = top.get(() -> TopHosts.read(services.nat(), topLimit, TOP_HOSTS));
        if (t.present()) {
            fillTop(t.value());
        }
    }

    private void drawCharts() {
        RateHistory.Range shown = range.getValue() == null ? RateHistory.Range.FIVE_MINUTES : range.getValue();
        List<RateHistory.Point> points = history.points(shown);
        long now = System.currentTimeMillis();
        long[] times = points.stream().mapToLong(RateHistory.Point::epochMillis).toArray();
        for (ChartSlot c : charts) {
            double[] values = points.stream().mapToDouble(c.value).toArray();
            String svg = SvgChart.render(new SvgChart.Series(c.title, c.unit, c.color, times, values,
                    shown.spanMillis(), now), 320, 140);
            html(c.box, svg);
        }
        List<RateHistory.Point> recent = history.points(RateHistory.Range.FIVE_MINUTES);
        RateHistory.Point last = recent.isEmpty() ? null : recent.getLast();
        boolean live = last != null && !last.gap();
        setText(newSessions, live ? Human.count(last.newSessionsPerSecond()) : "-");
        setText(packetsIn, live ? Human.count(last.packetsInPerSecond()) : "-");
        setText(packetsOut, live ? Human.count(last.packetsOutPerSecond()) : "-");
        setText(dropsNow, live ? Human.count(last.dropsPerSecond()) : "-");
    }

    private void fillPorts(OverviewModel.Snapshot s) {
        List<SvgBars.Usage> pools = new ArrayList<>();
        double fullest = 0;
        for (PoolUsage p : s.pools()) {
            pools.add(new SvgBars.Usage(p.pool(), p.portsMapped(), p.portsHeld(), p.portsTotal()));
            fullest = Math.max(fullest, p.usedShare());
        }
        setText(portsUsed, s.pools().isEmpty() ? "no pools" : Human.percent(fullest));
        portsUsed.getElement().setAttribute("data-level",
                SvgBars.Level.of(fullest).name().toLowerCase(java.util.Locale.ROOT));
        draw(poolBars, pools.isEmpty() ? null : SvgBars.usage(pools, 560), "no pools");
        boolean severalPools = s.pools().size() > 1;
        List<SvgBars.Usage> addresses = usage(s.byAddress(), severalPools);
        List<SvgBars.Usage> workers = usage(s.byWorker(), severalPools);
        draw(addressBars, addresses.isEmpty() ? null : SvgBars.usage(fullest(addresses), 560), "none");
        draw(workerBars, workers.isEmpty() ? null : SvgBars.usage(fullest(workers), 560), "none");
        int hidden = Math.max(0, addresses.size() - BARS_SHOWN) + Math.max(0, workers.size() - BARS_SHOWN);
        setText(barsNote, "Blue up to 80 % used, amber past 80 %, red past 95 %; the lighter part is in hold-down."
                + (hidden > 0 ? " The " + BARS_SHOWN + " fullest of each are drawn; nat:ports lists all." : ""));
    }

    private static List<SvgBars.Usage> usage(List<OverviewModel.PortRow> rows, boolean withPool) {
        List<SvgBars.Usage> out = new ArrayList<>();
        for (OverviewModel.PortRow r : rows) {
            out.add(new SvgBars.Usage(withPool ? r.pool() + " " + r.key() : r.key(), r.used(), r.held(), r.total()));
        }
        return out;
    }

    private static List<SvgBars.Usage> fullest(List<SvgBars.Usage> rows) {
        if (rows.size() <= BARS_SHOWN) {
            return rows;
        }
        return rows.stream().sorted(Comparator.comparingDouble(SvgBars.Usage::share).reversed()).limit(BARS_SHOWN)
                .toList();
    }

    private void fillDrops(OverviewModel.Snapshot s) {
        RateHistory.Range shown = range.getValue() == null ? RateHistory.Range.FIVE_MINUTES : range.getValue();
        RateHistory.Drops d = history.drops(shown);
        String span = Human.duration(Duration.ofSeconds(Math.round(Math.min(d.seconds(),
                shown.spanMillis() / 1000.0))));
        setText(dropsTitle, "Drops by reason, last " + shown.label());
        if (d.seconds() == 0) {
            draw(dropsChart, null, "measuring");
        } else if (d.byReason().isEmpty()) {
            draw(dropsChart, null, "no drops in the last " + span);
        } else {
            draw(dropsChart, SvgBars.counts(d.byReason(), s.drops(), "#e03131", 560), null);
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : s.drops().entrySet()) {
            rows.add(List.of(e.getKey(), Long.toString(e.getValue())));
        }
        if (rows.isEmpty()) {
            rows.add(List.of("no drops", "0"));
        }
        Tables.fill(dropTotals, List.of("Drop reason", "Packets"), rows);
    }

    private void fillTop(TopHosts.Snapshot t) {
        Tables.fill(topSessions, List.of("Inside host", "Sessions", "Ports"), hostRows(t.bySessions()));
        Tables.fill(topPorts, List.of("Inside host", "Ports", "Sessions"), hostRows(t.byPorts()).stream()
                .map(r -> List.of(r.get(0), r.get(2), r.get(1))).toList());
        setText(topNote, t.sample()
                ? "Counted over a sample of " + t.counted() + " sessions (sessions.grid.max); click a host for its"
                        + " sessions."
                : "Counted over all " + t.counted() + " sessions; click a host for its sessions.");
    }

    private static List<List<Object>> hostRows(List<TopHosts.Host> hosts) {
        List<List<Object>> rows = new ArrayList<>();
        for (TopHosts.Host h : hosts) {
            RouterLink link = new RouterLink(h.address(), SessionsView.class);
            link.setQueryParameters(QueryParameters.of(SessionsView.INSIDE, h.address()));
            rows.add(List.of(link, Long.toString(h.sessions()), Long.toString(h.ports())));
        }
        return rows;
    }

    private void fillTables(OverviewModel.Snapshot s) {
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
    }

    private static void draw(Div box, String svg, String empty) {
        html(box, svg != null ? svg : "<span class=\"natgw-none\">" + SvgChart.escape(empty) + "</span>");
    }

    /** Sets a box's markup only if it changed: the 1 h charts change every 10 s, the bars when the ports do. */
    private static void html(Div box, String markup) {
        if (!markup.equals(box.getElement().getProperty("innerHTML"))) {
            box.getElement().setProperty("innerHTML", markup);
        }
    }

    private static Span tileValue(String id) {
        Span s = new Span("-");
        s.setId(id);
        s.addClassName("natgw-tile-value");
        return s;
    }

    private static Div tile(String label, Span value) {
        Span l = new Span(label);
        l.addClassName("natgw-tile-label");
        Div d = new Div(value, l);
        d.addClassName("natgw-tile");
        return d;
    }

    private static Div box(String id) {
        Div d = new Div();
        d.setId(id);
        d.addClassName("natgw-box");
        return d;
    }

    private static Div column(Component... children) {
        Div d = new Div(children);
        d.addClassName("natgw-column");
        return d;
    }

    private static Div columns(Component... children) {
        Div d = new Div(children);
        d.addClassName("natgw-columns");
        return d;
    }

    private static String limit(int v) {
        return v == 0 ? "none" : Integer.toString(v);
    }

    private static String n(long v) {
        return Long.toString(v);
    }

    /** One chart: where it is drawn and what it draws. */
    private static final class ChartSlot {
        final Div box;
        final String title;
        final String unit;
        final String color;
        final ToDoubleFunction<RateHistory.Point> value;

        ChartSlot(String id, String title, String unit, String color, ToDoubleFunction<RateHistory.Point> value) {
            this.box = box(id);
            this.title = title;
            this.unit = unit;
            this.color = color;
            this.value = value;
        }
    }
}
