package dev.natgw.nat.cli;

import dev.natgw.api.nat.EventExportService;
import dev.natgw.api.nat.EventExportStats;
import java.io.PrintStream;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code nat:export}: what NAT event export (IPFIX, syslog) sent and lost, per collector. */
@Command(scope = "nat", name = "export", description = "Shows NAT event export (PID dev.natgw.nat.export): events"
        + " queued, lost because the queue was full, and exported; per IPFIX collector the messages and records sent,"
        + " the records lost and what the last send did; syslog messages sent and lost.")
@Service
public class ExportCommand extends NatListAction {

    @Reference
    EventExportService export;

    @Override
    public Object execute() {
        EventExportStats s = export.stats();
        PrintStream out = System.out;
        if (json) {
            out.println(NatJson.write(s));
            return null;
        }
        if (s == null) {
            out.println("NAT event export is off: set ipfix.collectors or syslog.servers in dev.natgw.nat.export");
            return null;
        }
        ShellTable counters = new ShellTable();
        counters.column("Counter");
        counters.column("Value").alignRight();
        counters.addRow().addContent("events queued", s.queued());
        counters.addRow().addContent("events lost: queue-full", s.queueFull());
        counters.addRow().addContent("events exported", s.exported());
        counters.addRow().addContent("syslog messages sent", s.syslogSent());
        counters.addRow().addContent("syslog messages lost", s.syslogLost());
        counters.print(out, !noFormat);
        if (!s.collectors().isEmpty()) {
            out.println();
            ShellTable t = new ShellTable();
            t.column("Collector");
            t.column("Transport");
            t.column("Messages").alignRight();
            t.column("Records").alignRight();
            t.column("Lost").alignRight();
            t.column("State");
            for (EventExportStats.Collector c : s.collectors()) {
                t.addRow().addContent(c.address(), c.transport(), c.messages(), c.records(), c.lost(), c.state());
            }
            t.print(out, !noFormat);
        }
        return null;
    }
}
