package dev.natgw.dataplane.cli;

import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.WorkerInfo;
import java.util.List;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code dp:workers}: the workers, their queues and how busy they are. */
@Command(scope = "dp", name = "workers", description = "Lists the workers: CPU, queues, bursts, packets, mean burst"
        + " fill and busy share over the last second.")
@Service
public class WorkersCommand implements Action {
    @Reference
    Dataplane dataplane;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    @Option(name = "--no-format", description = "Plain table without borders, for scripts")
    boolean noFormat;

    record Doc(List<WorkerInfo> workers) {
    }

    @Override
    public Object execute() {
        List<WorkerInfo> workers = dataplane.workers();
        if (json) {
            System.out.println(DpJson.write(new Doc(workers)));
            return null;
        }
        ShellTable t = new ShellTable();
        t.column("Worker").alignRight();
        t.column("CPU").alignRight();
        t.column("Queues");
        t.column("Bursts").alignRight();
        t.column("Packets").alignRight();
        t.column("Burst fill").alignRight();
        t.column("Busy").alignRight();
        for (WorkerInfo w : workers) {
            t.addRow().addContent(w.id(), w.cpu() < 0 ? "-" : w.cpu(), String.join(" ", w.queues()), w.bursts(),
                    w.packets(), String.format(Locale.ROOT, "%.1f%%", 100 * w.meanBurstFill()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * w.busyShare()));
        }
        t.print(System.out, !noFormat);
        return null;
    }
}
