package dev.natgw.nat.cli;

import dev.natgw.api.nat.DeterministicMapping;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.NatAdminService;
import java.io.PrintStream;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code nat:det-lookup}: which inside address a deterministic pool gives an outside address and port, or (with an
 * inside address alone) which outside address and ports it gives that inside address; from the formula, no log.
 */
@Command(scope = "nat", name = "det-lookup", description = "Answers which subscriber had an outside ADDRESS and"
        + " PORT in a deterministic pool (RFC 7422), or, given an inside ADDRESS alone, its outside address and"
        + " ports; computed from the configuration, no log needed.")
@Service
public class DetLookupCommand implements Action {

    @Reference
    NatAdminService natService;

    @Argument(index = 0, name = "ADDRESS", description = "An outside address (with PORT), or an inside address", required = true)
    String address;

    @Argument(index = 1, name = "PORT", description = "The outside port; leave it out to look up an inside address")
    Integer port;

    @Option(name = "--json", description = "Print one JSON document instead of a table")
    boolean json;

    @Option(name = "--no-format", description = "A plain table without borders, for scripts")
    boolean noFormat;

    /** One block, addresses as text. */
    record Row(String pool, String inside, String outside, int portFirst, int portLast, int worker) {
    }

    @Override
    public Object execute() {
        int addr;
        try {
            addr = Ipv4.parse(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ADDRESS \"" + address + "\" is not an IPv4 address: " + e.getMessage());
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("PORT must be 0..65535, was " + port);
        }
        List<DeterministicMapping> found = port == null
                ? natService.deterministicBlock(addr)
                : natService.deterministicLookup(addr, port);
        List<Row> rows = found.stream().map(d -> new Row(d.pool(), Ipv4.format(d.inside()), Ipv4.format(
                d.outside()), d.portFirst(), d.portLast(), d.worker())).toList();
        PrintStream out = System.out;
        if (json) {
            out.println(NatJson.write(rows));
            return null;
        }
        if (rows.isEmpty()) {
            out.println("no deterministic pool maps " + address + (port == null ? "" : " port " + port)
                    + " (or no dataplane runs the translator)");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Pool");
        table.column("Inside");
        table.column("Outside");
        table.column("Ports");
        table.column("Worker").alignRight();
        for (Row r : rows) {
            table.addRow().addContent(r.pool(), r.inside(), r.outside(), r.portFirst() + "-" + r.portLast(),
                    r.worker());
        }
        table.print(out, !noFormat);
        return null;
    }
}
