package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.ForwarderCounters;
import dev.natgw.api.forwarder.ForwarderInfo;
import dev.natgw.api.forwarder.ForwarderLoad;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code fwd:stats}: the forwarder's state, load and counters. */
@Command(scope = "fwd", name = "stats", description = "Shows the forwarder's state, what it holds now against its"
        + " bounds, and its counters since it started.")
@Service
public class StatsCommand extends ForwarderAction {

    /** The JSON document. */
    record StatsJson(String state, String listen, boolean tls, String fingerprint, String announcedAs, String since,
            ForwarderLoad load,
            ForwarderCounters counters) {
    }

    @Override
    public Object execute() throws Exception {
        ForwarderInfo info = forwarder.info();
        ForwarderLoad load = forwarder.load();
        ForwarderCounters c = forwarder.counters();
        if (json) {
            System.out.println(Json.write(new StatsJson(info.state().name(), Json.address(info.listen()), info.tls(),
                    info.fingerprint(), info.announcedAs(), info.since().toString(), load, c)));
            return null;
        }
        Map<String, Object> rows = new LinkedHashMap<>();
        rows.put("state", info.state() + " since " + info.since());
        rows.put("listen", Json.address(info.listen()) + (info.tls() ? " (TLS)" : ""));
        if (info.fingerprint() != null) {
            rows.put("certificate", info.fingerprint());
        }
        rows.put("announced as", info.announcedAs() == null ? "(not announced)" : info.announcedAs());
        rows.put("connections", load.connections() + " / " + load.maxConnections());
        rows.put("servers", load.servers() + " / " + load.maxServers());
        rows.put("pending clients", load.pendingClients());
        rows.put("relays", load.relays());
        rows.put("connections refused", load.connectionsRefused());
        rows.put("protocol errors", load.protocolErrors());
        rows.put("timeouts", load.timeouts());
        rows.put("registrations", c.registrations());
        rows.put("registrations rejected", c.registrationsRejected());
        rows.put("clients accepted", c.clientsAccepted());
        rows.put("clients rejected", c.clientsRejected());
        rows.put("relays opened", c.relaysOpened());
        rows.put("relays closed", c.relaysClosed());
        rows.put("bytes relayed", c.bytesRelayed());
        rows.put("probes", c.probes());
        rows.put("heartbeats missed", c.heartbeatsMissed());
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Value");
        rows.forEach((k, v) -> table.addRow().addContent(k, v));
        table.print(System.out, !noFormat);
        return null;
    }
}
