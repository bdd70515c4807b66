package dev.natgw.console.views;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.provider.CallbackDataProvider;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.console.internal.ConsoleServlet;
import dev.natgw.console.model.Human;
import dev.natgw.console.model.Reading;
import dev.natgw.console.model.SessionsModel;
import java.util.List;

/**
 * The NAT sessions, filtered on the workers. The grid loads lazily from one bounded snapshot (at most
 * {@code sessions.grid.max} sessions, however many are alive); Refresh or a filter change takes a new one. The
 * Overview's top hosts link here with the filter in the address ({@code sessions?inside=10.0.0.5}).
 */
@Route(value = "sessions", layout = MainLayout.class)
@PageTitle("natgw - sessions")
public final class SessionsView extends LiveView implements BeforeEnterObserver {
    private static final long serialVersionUID = 1L;
    /** The query parameter that sets the inside address filter. */
    static final String INSIDE = "inside";

    private final ComboBox<Protocol> protocol = new ComboBox<>("Protocol", Protocol.values());
    private final TextField inside = new TextField("Inside address");
    private final TextField remote = new TextField("Remote address");
    private final TextField pool = new TextField("Pool");
    private final Span summary = new Span();
    private final Grid<SessionInfo> grid = new Grid<>(SessionInfo.class, false);
    private final VerticalLayout content = new VerticalLayout();
    private final int limit;
    private transient List<SessionInfo> snapshot = List.of();
    private transient SessionFilter filter = SessionFilter.ALL;

    /** Builds the view. */
    public SessionsView() {
        super("Sessions");
        limit = ConsoleServlet.current().sessionsGridMax();
        summary.setId("sessions-summary");
        grid.setId("sessions-grid");
        // fixed widths in a compact, smaller grid: nine columns fit 1,280 px with no sideways scrolling (auto widths
        // measured on the first rows summed past it), and the longest TCP state (ESTABLISHED) shows whole whatever
        // rows are loaded
        grid.addThemeVariants(GridVariant.LUMO_COMPACT);
        grid.getStyle().set("font-size", "var(--lumo-font-size-s)").set("--lumo-font-size-m",
                "var(--lumo-font-size-s)");
        grid.addColumn(s -> s.protocol().name()).setHeader("Protocol").setWidth("4.5em").setFlexGrow(0);
        grid.addColumn(s -> s.inside().toString()).setHeader("Inside").setWidth("10.5em").setFlexGrow(1);
        grid.addColumn(s -> s.outside().toString()).setHeader("Outside").setWidth("10.5em").setFlexGrow(1);
        grid.addColumn(s -> s.remote().toString()).setHeader("Remote").setWidth("10.5em").setFlexGrow(1);
        grid.addColumn(s -> s.state() == dev.natgw.api.nat.TcpState.NONE ? "" : s.state().name()).setHeader("State")
                .setWidth("7.5em").setFlexGrow(0).setKey("state");
        grid.addColumn(s -> Human.duration(java.time.Duration.ofMillis(s.idleMillis()))).setHeader("Idle")
                .setWidth("5.5em").setFlexGrow(0);
        grid.addColumn(s -> Human.duration(java.time.Duration.ofMillis(s.ageMillis()))).setHeader("Age")
                .setWidth("6.5em").setFlexGrow(0);
        grid.addColumn(SessionInfo::worker).setHeader("Worker").setWidth("4.5em").setFlexGrow(0);
        grid.addColumn(s -> s.pool() == null ? "(static)" : s.pool()).setHeader("Pool").setWidth("5em")
                .setFlexGrow(1);
        grid.setWidthFull();
        grid.setItems(new CallbackDataProvider<SessionInfo, Void>(
                q -> snapshot.stream().skip(q.getOffset()).limit(q.getLimit()),
                q -> snapshot.size()));
        for (TextField f : List.of(inside, remote, pool)) {
            f.setClearButtonVisible(true);
            f.addValueChangeListener(e -> load());
        }
        inside.setId("filter-inside");
        remote.setId("filter-remote");
        pool.setId("filter-pool");
        protocol.setClearButtonVisible(true);
        protocol.addValueChangeListener(e -> load());
        Button refresh = new Button("Refresh", e -> load());
        refresh.setId("sessions-refresh");
        HorizontalLayout filters = new HorizontalLayout(protocol, inside, remote, pool, refresh);
        filters.setAlignItems(Alignment.BASELINE);
        filters.setWrap(true);
        content.setPadding(false);
        content.setSizeFull();
        grid.setHeight("600px");
        content.add(filters, summary, grid);
        add(content);
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        List<String> asked = event.getLocation().getQueryParameters().getParameters().get(INSIDE);
        if (asked != null && !asked.isEmpty()) {
            // a bad address is shown in the summary by load(), as if typed
            inside.setValue(asked.getFirst());
        }
    }

    /** Takes a new snapshot with the filter as typed. */
    private void load() {
        try {
            filter = SessionsModel.filter(protocol.getValue(), inside.getValue(), remote.getValue(),
                    pool.getValue());
        } catch (IllegalArgumentException bad) {
            summary.setText(bad.getMessage());
            return;
        }
        Reading<SessionsModel.Page> r = SessionsModel.query(services.nat(), filter, limit);
        if (!show(r, content)) {
            snapshot = List.of();
            return;
        }
        snapshot = r.value().sessions();
        summary.setText(snapshot.size() + (r.value().truncated() ? "+" : "") + " matching shown (at most " + limit
                + " per query), " + r.value().alive() + " sessions alive");
        grid.getDataProvider().refreshAll();
    }

    @Override
    protected void refresh() {
        // the grid keeps its snapshot until Refresh or a filter change; each tick only notices the service going
        // and coming back, and takes a first snapshot when there was none
        boolean wasShown = content.isVisible();
        Reading<Long> alive = Reading.of(services.nat(), "The NAT translator (NatService)", n -> n.sessionCount());
        show(alive, content);
        if (alive.present() && (!wasShown || snapshot.isEmpty())) {
            load();
        }
    }
}
