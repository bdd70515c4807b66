package dev.natgw.nat.cli;

import dev.natgw.api.nat.StaticMappingEntry;
import java.io.PrintStream;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code nat:statics}: the static mappings in force, and the configured ones refused for a clash. */
@Command(scope = "nat", name = "statics", description = "Lists the static mappings (port forwards): protocol,"
        + " global and inside endpoint, whether it is in force or refused (and why), and the configuration in etc/"
        + " that holds it.")
@Service
public class StaticListCommand extends NatListAction {

    @Override
    public Object execute() {
        List<StaticMappingEntry> entries = natService.staticMappingEntries();
        PrintStream out = System.out;
        if (json) {
            out.println(NatJson.write(new NatJson.Statics(entries.stream().map(NatJson.Static::of).toList())));
            return null;
        }
        if (entries.isEmpty()) {
            out.println("no static mappings");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Protocol");
        table.column("Global");
        table.column("Inside");
        table.column("State");
        table.column("Configuration");
        for (StaticMappingEntry e : entries) {
            table.addRow().addContent(e.mapping().protocol(), e.mapping().global(), e.mapping().inside(),
                    e.active() ? "in force" : "refused: " + e.refusal(),
                    e.configuration().isEmpty() ? "none (lasts until restart)" : e.configuration());
        }
        table.print(out, !noFormat);
        return null;
    }
}
