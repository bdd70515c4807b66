package dev.natgw.dataplane.cli;

import dev.natgw.dataplane.internal.DataplaneControl;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code dp:neighbours}: the ARP tables of both ports. */
@Command(scope = "dp", name = "neighbours", description = "Lists the neighbours (ARP entries) of both ports.")
@Service
public class NeighboursCommand implements Action {
    @Reference
    DataplaneControl control;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    record Row(String port, String address, String mac, long ageMillis, boolean pinned) {
    }

    @Override
    public Object execute() {
        List<Row> rows = new ArrayList<>();
        for (String port : new String[]{"inside", "outside"}) {
            for (String[] r : control.neighbours(port)) {
                rows.add(new Row(port, r[0], r[1], Long.parseLong(r[2]), "pinned".equals(r[3])));
            }
        }
        if (json) {
            System.out.println(DpJson.write(rows));
            return null;
        }
        ShellTable t = new ShellTable();
        t.column("Port");
        t.column("Address");
        t.column("MAC");
        t.column("Age (s)").alignRight();
        t.column("Source");
        for (Row r : rows) {
            t.addRow().addContent(r.port(), r.address(), r.mac(), r.pinned() ? "-" : r.ageMillis() / 1000,
                    r.pinned() ? "pinned (configuration)" : "ARP");
        }
        t.print(System.out);
        return null;
    }
}
