package dev.natgw.nat.cli;

import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.PortUsage;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code nat:ports}: a pool's port use per outside address and per worker. */
@Command(scope = "nat", name = "ports", description = "Shows how many of a pool's ports are in use (mapped, held down"
        + " or reserved), per outside address and per worker.")
@Service
public class PortUsageCommand implements Action {

    @Reference
    NatAdminService natService;

    @Argument(index = 0, name = "POOL", description = "The pool's name", required = true)
    @Completion(PoolNameCompleter.class)
    String pool;

    @Option(name = "--json", description = "Print one JSON document instead of tables")
    boolean json;

    @Option(name = "--no-format", description = "Plain tables without borders, for scripts")
    boolean noFormat;

    /** One entry per address and worker, addresses as text. */
    record Row(String address, int worker, long portsTotal, long portsInUse, long portsHeld, long portsFree) {
    }

    /** The JSON document. */
    record Doc(String pool, List<Row> usage) {
    }

    @Override
    public Object execute() {
        List<PortUsage> usage = natService.portUsage(pool);
        PrintStream out = System.out;
        if (json) {
            out.println(NatJson.write(new Doc(pool, usage.stream()
                    .map(u -> new Row(Ipv4.format(u.address()), u.worker(), u.portsTotal(), u.portsInUse(),
                            u.portsHeld(), u.portsFree()))
                    .toList())));
            return null;
        }
        if (usage.isEmpty()) {
            out.println("no port use for pool " + pool + " (no such pool, or no dataplane runs the translator)");
            return null;
        }
        Map<Integer, long[]> byAddress = new TreeMap<>(Integer::compareUnsigned);
        Map<Integer, long[]> byWorker = new TreeMap<>();
        for (PortUsage u : usage) {
            add(byAddress.computeIfAbsent(u.address(), k -> new long[3]), u);
            add(byWorker.computeIfAbsent(u.worker(), k -> new long[3]), u);
        }
        print(out, "Address", byAddress, Ipv4::format);
        out.println();
        print(out, "Worker", byWorker, String::valueOf);
        return null;
    }

    private static void add(long[] sum, PortUsage u) {
        sum[0] += u.portsInUse();
        sum[1] += u.portsTotal();
        sum[2] += u.portsHeld();
    }

    private void print(PrintStream out, String key, Map<Integer, long[]> rows,
            java.util.function.IntFunction<String> name) {
        ShellTable table = new ShellTable();
        table.column(key);
        table.column("In use").alignRight();
        table.column("Held").alignRight();
        table.column("Free").alignRight();
        table.column("Total").alignRight();
        table.column("Used").alignRight();
        rows.forEach((k, v) -> table.addRow().addContent(name.apply(k), v[0], v[2], v[1] - v[0], v[1],
                String.format(Locale.ROOT, "%.1f%%", v[1] == 0 ? 0.0 : 100.0 * v[0] / v[1])));
        table.print(out, !noFormat);
    }
}
