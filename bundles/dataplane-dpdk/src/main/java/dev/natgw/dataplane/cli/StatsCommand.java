package dev.natgw.dataplane.cli;

import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.QueueStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code dp:stats}: counters per port and queue, and the dataplane's own counters. */
@Command(scope = "dp", name = "stats", description = "Shows rx/tx/drop counters per port and per queue, and the"
        + " dataplane's drops by reason and the packets it answered itself.")
@Service
public class StatsCommand implements Action {
    @Reference
    Dataplane dataplane;

    @Option(name = "--json", description = "Print JSON instead of tables")
    boolean json;

    @Option(name = "--no-format", description = "Plain tables without borders, for scripts")
    boolean noFormat;

    @Option(name = "--all", description = "Also show counters that are zero")
    boolean all;

    record Doc(List<PortStats> ports, Map<String, Long> counters) {
    }

    @Override
    public Object execute() {
        List<PortStats> stats = new ArrayList<>();
        for (PortInfo p : dataplane.ports()) {
            stats.add(dataplane.portStats(p.name()));
        }
        Map<String, Long> counters = dataplane.counters();
        if (json) {
            System.out.println(DpJson.write(new Doc(stats, counters)));
            return null;
        }
        ShellTable t = new ShellTable();
        for (String c : new String[]{"Port", "Queue", "Rx packets", "Rx bytes", "Tx packets", "Tx bytes",
                "Rx dropped", "Tx dropped", "Rx errors"}) {
            t.column(c).alignRight();
        }
        for (PortStats s : stats) {
            t.addRow().addContent(s.port(), "all", s.rxPackets(), s.rxBytes(), s.txPackets(), s.txBytes(),
                    s.rxDropped(), s.txDropped(), s.rxErrors());
            for (QueueStats q : s.queues()) {
                t.addRow().addContent(s.port(), q.queue(), q.rxPackets(), q.rxBytes(), q.txPackets(), q.txBytes(),
                        "", q.rxDropped(), "");
            }
        }
        t.print(System.out, !noFormat);
        System.out.println();
        ShellTable c = new ShellTable();
        c.column("Counter");
        c.column("Count").alignRight();
        counters.forEach((k, v) -> {
            if (all || v != 0) {
                c.addRow().addContent(k, v);
            }
        });
        c.print(System.out, !noFormat);
        return null;
    }
}
