package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.ForwarderAdminService;
import dev.natgw.api.forwarder.TenantStatus;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the names of the forwarder's tenants. */
@Service
public class TenantNameCompleter implements Completer {

    @Reference
    ForwarderAdminService admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> names = admin.tenants().stream().map(TenantStatus::name).toList();
        return new StringsCompleter(names).complete(session, commandLine, candidates);
    }
}
