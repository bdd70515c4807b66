package dev.natgw.console.views;

import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.NativeTable;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import dev.natgw.api.status.ApplianceStatus;
import dev.natgw.api.status.BundleStatus;
import dev.natgw.api.status.ServiceStatus;
import dev.natgw.console.model.BundlesModel;
import dev.natgw.console.model.Human;
import dev.natgw.console.model.Reading;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** natgw's bundles with state and version, and its services: a hot deploy shows here as it happens. */
@Route(value = "bundles", layout = MainLayout.class)
@PageTitle("natgw - bundles")
public final class BundlesView extends LiveView {
    private static final long serialVersionUID = 1L;

    private final VerticalLayout content = new VerticalLayout();
    private final NativeTable bundles = Tables.table("bundles");
    private final NativeTable servicesTable = Tables.table("services");

    /** Builds the view. */
    public BundlesView() {
        super("Bundles");
        content.setPadding(false);
        content.add(bundles, new H3("Services"), servicesTable);
        add(content);
    }

    @Override
    protected void refresh() {
        Reading<ApplianceStatus> r = BundlesModel.read(services.status());
        if (!show(r, content)) {
            return;
        }
        List<List<Object>> rows = new ArrayList<>();
        Instant now = Instant.now();
        for (BundleStatus b : r.value().bundles()) {
            Instant changed = Instant.ofEpochMilli(b.lastModified());
            rows.add(List.of(b.symbolicName(), Long.toString(b.id()), b.version(), b.state(),
                    new Tables.Cell(Human.ago(changed, now), Human.exact(changed))));
        }
        Tables.fill(bundles, List.of("Bundle", "ID", "Version", "State", "Installed or updated"), rows);
        List<List<String>> svc = new ArrayList<>();
        for (ServiceStatus s : r.value().services()) {
            svc.add(List.of(s.shortName(), s.up() ? "up" : "down", s.providers().toString()));
        }
        Tables.fill(servicesTable, List.of("Service", "State", "Provided by"), svc);
    }
}
