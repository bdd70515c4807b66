package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.TenantStatus;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code fwd:tenants}: the tenants, their quotas and what they hold now. */
@Command(scope = "fwd", name = "tenants", description = "Lists the forwarder's tenants: quotas (servers, relays,"
        + " bytes/s), what each holds now, bytes relayed and times throttled since the forwarder started.")
@Service
public class TenantsCommand extends AdmissionAction {

    /** The JSON shape of one tenant. */
    record TenantJson(String name, int maxServers, int maxRelays, long bytesPerSecond, String created, int servers,
            int relays, long bytesRelayed, long throttled) {
    }

    @Override
    public Object execute() throws Exception {
        List<TenantStatus> tenants = admin.tenants();
        if (json) {
            System.out.println(Json.write(tenants.stream().map(t -> new TenantJson(t.name(), t.quota().servers(), t
                    .quota().relays(), t.quota().bytesPerSecond(), t.created().toString(), t.servers(), t.relays(),
                    t
                            .bytesRelayed(),
                    t.throttled())).toList()));
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Servers").alignRight();
        table.column("Relays").alignRight();
        table.column("Bytes/s").alignRight();
        table.column("Bytes relayed").alignRight();
        table.column("Throttled").alignRight();
        table.column("Created");
        for (TenantStatus t : tenants) {
            table.addRow().addContent(t.name(), t.servers() + " / " + t.quota().servers(), t.relays() + " / " + t
                    .quota().relays(), t.quota().bytesPerSecond() == 0 ? "-" : t.quota().bytesPerSecond(), t
                            .bytesRelayed(),
                    t.throttled(), t.created());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
