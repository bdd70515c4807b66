package dev.natgw.console.views;

import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.NativeTable;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.RegisteredServer;
import dev.natgw.api.forwarder.RelaySession;
import dev.natgw.console.model.ForwarderModel;
import dev.natgw.console.model.Human;
import dev.natgw.console.model.Reading;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The forwarder: its listener, registered servers and keys, relayed connections and throughput. */
@Route(value = "forwarder", layout = MainLayout.class)
@PageTitle("natgw - forwarder")
public final class ForwarderView extends LiveView {
    private static final long serialVersionUID = 1L;

    private final transient ForwarderModel model = new ForwarderModel();
    private final VerticalLayout content = new VerticalLayout();
    private final Span listener = new Span();
    private final Span throughput = new Span();
    private final NativeTable servers = Tables.table("fwd-servers");
    private final NativeTable relays = Tables.table("fwd-relays");
    private final NativeTable counters = Tables.table("fwd-counters");

    /** Builds the view. */
    public ForwarderView() {
        super("Forwarder");
        listener.setId("fwd-listener");
        throughput.setId("fwd-throughput");
        content.setPadding(false);
        content.add(listener, throughput, new H3("Registered servers"), servers, new H3("Relays"), relays,
                new H3("Counters"), counters);
        add(content);
    }

    @Override
    protected void refresh() {
        Reading<ForwarderModel.Snapshot> r = model.read(services.forwarder(), System.nanoTime());
        if (!show(r, content)) {
            return;
        }
        ForwarderModel.Snapshot s = r.value();
        Instant now = Instant.now();
        setText(listener, s.info().state() + " on " + Human.address(s.info().listen())
                + (s.info().tls()
                        ? " (TLS" + (s.info().fingerprint() == null
                                ? ""
                                : ", certificate " + s.info()
                                        .fingerprint())
                                + ")"
                        : "")
                + (s.info().announcedAs() == null ? ", not announced" : ", announced as " + s.info().announcedAs())
                + ", since " + Human.ago(s.info().since(), now));
        listener.getElement().setAttribute("title", "since " + Human.exact(s.info().since()));
        setText(throughput, Double.isNaN(s.bytesPerSecond())
                ? "Throughput: measuring"
                : "Throughput: " + Human.bytes(s.bytesPerSecond()) + "/s");
        throughput.getElement().setAttribute("title", Double.isNaN(s.bytesPerSecond())
                ? ""
                : String.format(Locale.ROOT, "%.0f bytes/s", s.bytesPerSecond()));
        List<List<Object>> sv = new ArrayList<>();
        for (RegisteredServer rs : s.servers()) {
            sv.add(List.of(rs.key(), Human.address(rs.controlPeer()), when(rs.registeredAt(), now),
                    when(rs.lastHeartbeat(), now), Integer.toString(rs.pendingClients()),
                    Integer.toString(rs.activeRelays())));
        }
        Tables.fill(servers, List.of("Key", "Control peer", "Registered", "Last heartbeat", "Pending clients",
                "Relays"), sv);
        List<List<Object>> rl = new ArrayList<>();
        for (RelaySession rs : s.relays()) {
            rl.add(List.of(Long.toString(rs.id()), rs.key(), Human.address(rs.client()), Human.address(rs.server()),
                    when(rs.started(), now), bytes(rs.bytesClientToServer()), bytes(rs.bytesServerToClient())));
        }
        Tables.fill(relays, List.of("Id", "Key", "Client", "Server", "Started", "Client to server",
                "Server to client"), rl);
        ForwarderCounters c = s.counters();
        Tables.fill(counters, List.of("Counter", "Value"), List.of(
                List.of("registrations", Long.toString(c.registrations())),
                List.of("registrations rejected", Long.toString(c.registrationsRejected())),
                List.of("clients accepted", Long.toString(c.clientsAccepted())),
                List.of("clients rejected", Long.toString(c.clientsRejected())),
                List.of("relays opened", Long.toString(c.relaysOpened())),
                List.of("relays closed", Long.toString(c.relaysClosed())),
                List.of("bytes relayed", Long.toString(c.bytesRelayed())),
                List.of("probes", Long.toString(c.probes())),
                List.of("heartbeats missed", Long.toString(c.heartbeatsMissed()))));
    }

    private static Tables.Cell when(Instant t, Instant now) {
        return new Tables.Cell(Human.ago(t, now), Human.exact(t));
    }

    private static Tables.Cell bytes(long b) {
        return new Tables.Cell(Human.bytes(b), b + " bytes");
    }
}
