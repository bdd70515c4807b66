package dev.natgw.nat.cli;

import dev.natgw.api.nat.NatAdminService;
import dev.natgw.api.nat.StaticMapping;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Completes the global endpoints ({@code a.b.c.d:port}) of the static mappings, of either protocol: a
 * completer does not see the other arguments' values reliably, and one endpoint rarely serves both.
 */
@Service
public class StaticGlobalCompleter implements Completer {

    // the same service the commands need, so the completer is there exactly when they are; it only reads
    @Reference
    NatAdminService natService;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> globals = natService.staticMappings().stream().map(StaticMapping::global)
                .map(Object::toString).distinct().toList();
        return new StringsCompleter(globals).complete(session, commandLine, candidates);
    }
}
