package dev.natgw.nat.cli;

import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.PoolDefinition;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the names of the translator's address pools. */
@Service
public class PoolNameCompleter implements Completer {

    // the same service the commands need, so the completer is there exactly when they are; it only reads
    @Reference
    NatAdminService natService;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> names = natService.pools().stream().map(PoolDefinition::name).toList();
        return new StringsCompleter(names).complete(session, commandLine, candidates);
    }
}
