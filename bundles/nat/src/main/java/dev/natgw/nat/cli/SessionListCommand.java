package dev.natgw.nat.cli;

import dev.natgw.api.nat.SessionFilter;
import dev.natgw.api.nat.SessionInfo;
import dev.natgw.api.nat.TcpState;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code nat:sessions}: a bounded snapshot of the translation sessions, filtered. */
@Command(scope = "nat", name = "sessions", description = "Lists NAT sessions, at most --limit of them, optionally"
        + " filtered by protocol, inside host, remote host or pool. The workers copy them between bursts, so the"
        + " list is not one instant.")
@Service
public class SessionListCommand extends SessionFilterAction {

    @Option(name = "--limit", aliases = "-n", description = "The most sessions to show, at least 1")
    int limit = 100;

    @Option(name = "--json", description = "Print one JSON document instead of a table")
    boolean json;

    @Option(name = "--no-format", description = "Plain table without borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1, was " + limit);
        }
        SessionFilter filter = filter();
        List<SessionInfo> sessions = natService.sessions(filter, limit);
        long total = natService.sessionCount();
        PrintStream out = System.out;
        if (json) {
            out.println(NatJson.write(new NatJson.Sessions(sessions.size(), total,
                    sessions.stream().map(NatJson.Session::of).toList())));
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Proto");
        table.column("Inside");
        table.column("Outside");
        table.column("Remote");
        table.column("State");
        table.column("Idle").alignRight();
        table.column("Age").alignRight();
        table.column("Worker").alignRight();
        table.column("Pool");
        for (SessionInfo s : sessions) {
            table.addRow().addContent(s.protocol().name().toLowerCase(Locale.ROOT), s.inside(),
                    s.outside(), s.remote(), s.state() == TcpState.NONE ? "-" : s.state(),
                    idle(s.idleMillis()), idle(s.ageMillis()), s.worker(), s.pool() == null ? "(static)" : s.pool());
        }
        // ShellTable prints its empty-table text only with borders; say it in both forms
        if (sessions.isEmpty()) {
            out.println("no matching sessions");
        } else {
            table.print(out, !noFormat);
        }
        // total counts every live session, filtered or not: the workers keep no per-filter count
        out.println(sessions.size() + " of " + total + " sessions shown");
        return null;
    }

    /** Idle time to the second, in the largest units that keep it short: 42s, 3m07s, 2h04m. */
    static String idle(long millis) {
        long s = millis / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return String.format("%dh%02dm", s / 3600, s / 60 % 60);
    }
}
