package dev.natgw.console.views;

import com.vaadin.flow.component.html.NativeTable;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import dev.natgw.api.registry.RegistryFace;
import dev.natgw.console.model.Reading;
import dev.natgw.console.model.RegistryModel;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The registry's live entries under the keys that start with a prefix, with their expiry and time left, and how its
 * HTTP face is reached (with the HTTPS certificate's fingerprint that clients pin).
 */
@Route(value = "registry", layout = MainLayout.class)
@PageTitle("natgw - registry")
public final class RegistryView extends LiveView {
    private static final long serialVersionUID = 1L;

    private final TextField key = new TextField("Key prefix (empty for all keys)");
    private final Span backend = new Span();
    private final Span face = new Span();
    private final NativeTable entries = Tables.table("registry-entries");
    private final VerticalLayout content = new VerticalLayout();
    private String current = "";

    /** Builds the view. */
    public RegistryView() {
        super("Registry");
        key.setId("registry-key");
        key.setValue(current);
        key.setWidth("30em");
        key.addValueChangeListener(e -> {
            try {
                current = RegistryModel.prefix(e.getValue());
                key.setInvalid(false);
                refresh();
            } catch (IllegalArgumentException bad) {
                key.setErrorMessage(bad.getMessage());
                key.setInvalid(true);
            }
        });
        backend.setId("registry-backend");
        face.setId("registry-face");
        content.setPadding(false);
        content.add(backend, face, entries);
        add(key, content);
    }

    @Override
    protected void refresh() {
        Reading<RegistryModel.Snapshot> r = RegistryModel.read(services.registry(), current, Instant.now());
        if (!show(r, content)) {
            return;
        }
        RegistryModel.Snapshot s = r.value();
        setText(backend, "Backend: " + s.backend() + "; " + s.rows().size() + (s.truncated() ? "+" : "")
                + " entries under " + (s.prefix().isEmpty() ? "all keys" : "keys starting with " + s.prefix()));
        // where clients reach the registry, and the certificate they pin (https://…#sha256:HEX)
        RegistryFace http = services.registryFace();
        setText(face, http == null ? "HTTP face: not running" : "HTTP face: " + http.info().describe());
        List<List<String>> rows = new ArrayList<>();
        for (RegistryModel.Row row : s.rows()) {
            rows.add(List.of(row.key(), row.value(), row.owner(), row.expires().truncatedTo(ChronoUnit.SECONDS)
                    .toString(), row.ttlLeft().toSeconds() + " s"));
        }
        Tables.fill(entries, List.of("Key", "Value", "Owner", "Expires (UTC)", "TTL left"), rows);
    }
}
