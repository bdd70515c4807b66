package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.ForwarderAdminService;
import dev.natgw.api.forwarder.RegisteredServer;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Completes the keys registered now (for fwd:allow: an operator closing an open forwarder allow-lists the servers
 * it already serves).
 */
@Service
public class RegisteredKeyCompleter implements Completer {

    @Reference
    ForwarderAdminService admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> keys = admin.servers().stream().map(RegisteredServer::key).toList();
        return new StringsCompleter(keys).complete(session, commandLine, candidates);
    }
}
