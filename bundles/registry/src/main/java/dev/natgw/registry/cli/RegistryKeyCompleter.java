package dev.natgw.registry.cli;

import dev.natgw.registry.internal.RegistryBrowser;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes registry keys that hold entries now. */
@Service
public class RegistryKeyCompleter implements Completer {

    @Reference
    RegistryBrowser browser;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter keys = new StringsCompleter();
        try {
            keys.getStrings().addAll(browser.keys("").keySet());
        } catch (RuntimeException unavailable) {
            return -1;
        }
        return keys.complete(session, commandLine, candidates);
    }
}
