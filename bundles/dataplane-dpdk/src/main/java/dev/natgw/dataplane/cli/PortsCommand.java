package dev.natgw.dataplane.cli;

import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PortInfo;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code dp:ports}: the dataplane's ports. */
@Command(scope = "dp", name = "ports", description = "Lists the dataplane's ports: device, MAC, queues, MTU, link.")
@Service
public class PortsCommand implements Action {
    @Reference
    Dataplane dataplane;

    @Reference
    dev.natgw.dataplane.internal.DataplaneControl control;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    @Option(name = "--no-format", description = "Plain table without borders, for scripts")
    boolean noFormat;

    record Doc(List<PortInfo> ports, List<String> stages, String failure) {
    }

    @Override
    public Object execute() {
        List<PortInfo> ports = dataplane.ports();
        if (json) {
            System.out.println(DpJson.write(new Doc(ports, dataplane.stages(), control.failure())));
            return null;
        }
        ShellTable t = new ShellTable();
        t.column("Port");
        t.column("Role");
        t.column("Device");
        t.column("MAC");
        t.column("Queues").alignRight();
        t.column("MTU").alignRight();
        t.column("Link");
        for (PortInfo p : ports) {
            t.addRow().addContent(p.name(), p.role().name().toLowerCase(java.util.Locale.ROOT), p.device(), p.mac(),
                    p.rxQueues(), p.mtu(), p.up() ? "up" : "down");
        }
        t.print(System.out, !noFormat);
        System.out.println("stages: " + String.join(" -> ", dataplane.stages()));
        if (control.failure() != null) {
            System.out.println("the dataplane is not running: " + control.failure());
        }
        return null;
    }
}
