package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.AllowedKey;
import dev.natgw.api.forwarder.ForwarderAdminService;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the allow-listed server keys (for fwd:revoke). */
@Service
public class AllowedKeyCompleter implements Completer {

    @Reference
    ForwarderAdminService admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> keys = admin.allowed().stream().map(AllowedKey::key).toList();
        return new StringsCompleter(keys).complete(session, commandLine, candidates);
    }
}
