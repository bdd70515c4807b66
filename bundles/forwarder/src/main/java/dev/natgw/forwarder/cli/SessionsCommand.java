package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.RelaySession;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code fwd:sessions}: the open relays, newest first. */
@Command(scope = "fwd", name = "sessions", description = "Lists the forwarder's open relays, newest first: key,"
        + " client, server data connection, start and bytes each way.")
@Service
public class SessionsCommand extends ForwarderAction {

    @Option(name = "--max", aliases = "-n", description = "The most relays to show (default 100)")
    int max = 100;

    /** The JSON shape of one relay. */
    record SessionJson(long id, String key, String client, String server, String started, long bytesClientToServer,
            long bytesServerToClient) {
    }

    @Override
    public Object execute() throws Exception {
        List<RelaySession> sessions = forwarder.sessions(max);
        if (json) {
            System.out.println(Json.write(sessions.stream().map(s -> new SessionJson(s.id(), s.key(), Json.address(s
                    .client()), Json.address(s.server()), s.started().toString(), s.bytesClientToServer(), s
                            .bytesServerToClient()))
                    .toList()));
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Id").alignRight();
        table.column("Key");
        table.column("Client");
        table.column("Server");
        table.column("Started");
        table.column("Client->server").alignRight();
        table.column("Server->client").alignRight();
        for (RelaySession s : sessions) {
            table.addRow().addContent(s.id(), s.key(), Json.address(s.client()), Json.address(s.server()), s
                    .started(), s.bytesClientToServer(), s.bytesServerToClient());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
