package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.RegisteredServer;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code fwd:servers}: the servers registered with the forwarder. */
@Command(scope = "fwd", name = "servers", description = "Lists the servers registered with the forwarder: key,"
        + " control connection, when they registered and last sent a heartbeat, pending clients and open relays.")
@Service
public class ServersCommand extends ForwarderAction {

    /** The JSON shape of one server. */
    record ServerJson(String key, String control, String registeredAt, String lastHeartbeat, int pendingClients,
            int activeRelays) {
    }

    @Override
    public Object execute() throws Exception {
        List<RegisteredServer> servers = forwarder.servers();
        if (json) {
            System.out.println(Json.write(servers.stream().map(s -> new ServerJson(s.key(), Json.address(s
                    .controlPeer()), s.registeredAt().toString(), s.lastHeartbeat().toString(), s.pendingClients(),
                    s.activeRelays())).toList()));
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Key");
        table.column("Control");
        table.column("Registered");
        table.column("Last heartbeat");
        table.column("Pending").alignRight();
        table.column("Relays").alignRight();
        for (RegisteredServer s : servers) {
            table.addRow().addContent(s.key(), Json.address(s.controlPeer()), s.registeredAt(), s.lastHeartbeat(),
                    s.pendingClients(), s.activeRelays());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
