package dev.natgw.registry.cli;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code registry:lookup KEY}: the live entries under one key, as {@link Registry#lookup} returns them. */
@Command(scope = "registry", name = "lookup", description = "Looks a key up in the registry: its live entries with"
        + " value, owner and time left.")
@Service
public class RegistryLookupCommand implements Action {

    @Reference
    Registry registry;

    @Argument(index = 0, name = "key", description = "The key", required = true)
    @Completion(RegistryKeyCompleter.class)
    String key;

    @Option(name = "--max", aliases = "-n", description = "The most entries to show (default 100)")
    int max = 100;

    @Option(name = "--json", description = "Print one JSON document instead of a table")
    boolean json;

    @Option(name = "--no-format", description = "A plain table without borders, for scripts")
    boolean noFormat;

    Clock clock = Clock.systemUTC();

    /** The JSON document. */
    record LookupJson(String key, List<EntryTable.Json> entries) {
    }

    @Override
    public Object execute() throws Exception {
        List<RegistryEntry> entries = registry.lookup(key, max);
        Instant now = clock.instant();
        if (json) {
            System.out.println(EntryTable.JSON.writeValueAsString(new LookupJson(key, EntryTable.json(entries, now))));
        } else {
            EntryTable.print(entries, now, System.out, noFormat);
        }
        return null;
    }
}
