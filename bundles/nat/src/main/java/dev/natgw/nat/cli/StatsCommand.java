package dev.natgw.nat.cli;

import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.NatCounters;
import java.io.PrintStream;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code nat:stats}: the translator's counters, its drops by reason, and the live session count and the live TCP sessions per state (exact). */
@Command(scope = "nat", name = "stats", description = "Shows the NAT counters summed over the workers, the"
        + " packets dropped per reason (non-zero ones, most first), the number of live sessions and the live TCP sessions per"
        + " state.")
@Service
public class StatsCommand implements Action {

    @Reference
    NatAdminService natService;

    @Option(name = "--json", description = "Print one JSON document instead of tables")
    boolean json;

    @Option(name = "--no-format", description = "Plain tables without borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        NatCounters c = natService.counters();
        long sessions = natService.sessionCount();
        Map<String, Long> drops = NatJson.nonZeroDrops(c);
        PrintStream out = System.out;
        if (json) {
            out.println(
                    NatJson.write(new NatJson.Stats(sessions, NatJson.Counters.of(c), NatJson.tcpStates(c), drops)));
            return null;
        }
        out.println("Sessions alive: " + sessions);
        out.println("Last hand-over: " + natService.lastHandOver());
        out.println();
        ShellTable counters = new ShellTable();
        counters.column("Counter");
        counters.column("Value").alignRight();
        counters.addRow().addContent("sessions created", c.sessionsCreated());
        counters.addRow().addContent("sessions deleted", c.sessionsDeleted());
        counters.addRow().addContent("sessions active", c.sessionsActive());
        counters.addRow().addContent("packets in2out", c.packetsIn2Out());
        counters.addRow().addContent("packets out2in", c.packetsOut2In());
        counters.addRow().addContent("refused: pool exhausted", c.refusedExhausted());
        counters.addRow().addContent("refused: host quota", c.refusedQuota());
        counters.addRow().addContent("handoffs", c.handoffs());
        counters.addRow().addContent("handoff drops", c.handoffDrops());
        counters.print(out, !noFormat);
        out.println();
        ShellTable states = new ShellTable();
        states.column("TCP state");
        states.column("Sessions").alignRight();
        NatJson.tcpStates(c).forEach((state, count) -> states.addRow().addContent(state, count));
        states.print(out, !noFormat);
        out.println();
        ShellTable table = new ShellTable();
        table.column("Drop reason");
        table.column("Packets").alignRight();
        drops.forEach((reason, count) -> table.addRow().addContent(reason, count));
        // ShellTable prints its empty-table text only with borders; say it in both forms
        if (drops.isEmpty()) {
            out.println("no drops");
        } else {
            table.print(out, !noFormat);
        }
        return null;
    }
}
