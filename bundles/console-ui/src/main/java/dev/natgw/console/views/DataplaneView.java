package dev.natgw.console.views;

import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.NativeTable;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import dev.natgw.api.dataplane.QueueStats;
import dev.natgw.api.dataplane.WorkerInfo;
import dev.natgw.console.model.DataplaneModel;
import dev.natgw.console.model.Human;
import dev.natgw.console.model.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The dataplane's ports, queues, counters, workers and stages. */
@Route(value = "dataplane", layout = MainLayout.class)
@PageTitle("natgw - dataplane")
public final class DataplaneView extends LiveView {
    private static final long serialVersionUID = 1L;

    private final VerticalLayout content = new VerticalLayout();
    private final NativeTable ports = Tables.table("dp-ports");
    private final NativeTable queues = Tables.table("dp-queues");
    private final NativeTable workers = Tables.table("dp-workers");
    private final Span stages = new Span();

    /** Builds the view. */
    public DataplaneView() {
        super("Dataplane");
        stages.setId("dp-stages");
        content.setPadding(false);
        content.add(new H3("Ports"), ports, new H3("Queues"), queues, new H3("Workers"), workers, new H3("Stages"),
                stages);
        add(content);
    }

    @Override
    protected void refresh() {
        Reading<DataplaneModel.Snapshot> r = DataplaneModel.read(services.dataplane());
        if (!show(r, content)) {
            return;
        }
        List<List<Object>> p = new ArrayList<>();
        List<List<Object>> q = new ArrayList<>();
        for (DataplaneModel.Port port : r.value().ports()) {
            var i = port.info();
            var s = port.stats();
            p.add(List.of(i.name(), i.role().name().toLowerCase(Locale.ROOT), new Tables.Cell(device(i.device()),
                    i.device()), i.mac(), i.up() ? "up" : "down", i.rxQueues() + "/" + i.txQueues(),
                    pair(Human.count(s.rxPackets()), Human.count(s.txPackets()), s.rxPackets(), s.txPackets()),
                    pair(Human.bytes(s.rxBytes()), Human.bytes(s.txBytes()), s.rxBytes(), s.txBytes()),
                    pair(Human.count(s.rxDropped()), Human.count(s.txDropped()), s.rxDropped(), s.txDropped()),
                    n(s.rxErrors())));
            for (QueueStats qs : s.queues()) {
                q.add(List.of(i.name() + ":" + qs.queue(), n(qs.rxPackets()), n(qs.txPackets()), b(qs.rxBytes()),
                        b(qs.txBytes()), n(qs.rxDropped())));
            }
        }
        Tables.fill(ports, List.of("Port", "Role", "Device", "MAC", "Link", "Queues rx/tx", "Packets rx / tx",
                "Bytes rx / tx", "Dropped rx / tx", "RX errors"), p);
        Tables.fill(queues, List.of("Queue", "RX packets", "TX packets", "RX bytes", "TX bytes", "RX dropped"), q);
        List<List<Object>> w = new ArrayList<>();
        for (WorkerInfo wi : r.value().workers()) {
            w.add(List.of(Integer.toString(wi.id()), wi.cpu() < 0 ? "-" : Integer.toString(wi.cpu()),
                    String.join(" ", wi.queues()), n(wi.bursts()), n(wi.packets()),
                    String.format(Locale.ROOT, "%.0f%%", 100 * wi.meanBurstFill()),
                    String.format(Locale.ROOT, "%.0f%%", 100 * wi.busyShare())));
        }
        Tables.fill(workers, List.of("Worker", "CPU", "Queues", "Bursts", "Packets", "Burst fill", "Busy"), w);
        setText(stages, String.join(" -> ", r.value().stages()));
    }

    /** A count at a glance, exact on hover. */
    private static Tables.Cell n(long v) {
        return new Tables.Cell(Human.count(v), Long.toString(v));
    }

    /** Received and sent in one cell, so that the ports table fits the window; exact on hover. */
    private static Tables.Cell pair(String rx, String tx, long rxExact, long txExact) {
        return new Tables.Cell(rx + " / " + tx, rxExact + " / " + txExact);
    }

    private static Tables.Cell b(long v) {
        return new Tables.Cell(Human.bytes(v), v + " bytes");
    }

    /** A DPDK device string such as {@code net_pcap0,rx_pcap=/a/long/path,...}: its first part; all of it on hover. */
    private static String device(String d) {
        int comma = d.indexOf(',');
        return comma < 0 || comma > 40
                ? (d.length() > 40 ? d.substring(0, 39) + "…" : d)
                : d.substring(0, comma) + ",…";
    }
}
