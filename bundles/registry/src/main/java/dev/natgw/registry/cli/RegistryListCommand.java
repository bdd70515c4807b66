package dev.natgw.registry.cli;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.registry.internal.RegistryBrowser;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code registry:list}: the keys that hold entries with their counts, or with {@code --key} the entries under the
 * keys starting with a prefix.
 */
@Command(scope = "registry", name = "list", description = "Lists the registry's keys with their number of live"
        + " entries, or with --key the entries under the keys that start with a prefix.")
@Service
public class RegistryListCommand implements Action {

    /** The most entries printed with --key. */
    static final int MAX_ENTRIES = 10_000;

    @Reference
    RegistryBrowser browser;

    @Reference
    Registry registry;

    @Option(name = "--key", aliases = "-k", description = "Show the entries under the keys that start with this prefix")
    @Completion(RegistryKeyCompleter.class)
    String key;

    @Option(name = "--json", description = "Print one JSON document instead of a table")
    boolean json;

    @Option(name = "--no-format", description = "A plain table without borders, for scripts")
    boolean noFormat;

    Clock clock = Clock.systemUTC();

    /** The JSON shape without --key. */
    record KeyJson(String key, int entries) {
    }

    /** The JSON document without --key. */
    record KeysJson(String backend, String owner, List<KeyJson> keys) {
    }

    /** The JSON document with --key. */
    record EntriesJson(String prefix, List<EntryTable.Json> entries) {
    }

    @Override
    public Object execute() throws Exception {
        PrintStream out = System.out;
        if (key == null) {
            SortedMap<String, Integer> keys = browser.keys("");
            if (json) {
                out.println(EntryTable.JSON.writeValueAsString(new KeysJson(backendName(), browser.owner(),
                        keys.entrySet().stream().map(e -> new KeyJson(e.getKey(), e.getValue())).toList())));
            } else {
                ShellTable table = new ShellTable();
                table.column("Key");
                table.column("Entries").alignRight();
                for (Map.Entry<String, Integer> e : keys.entrySet()) {
                    table.addRow().addContent(e.getKey(), e.getValue());
                }
                table.print(out, !noFormat);
            }
        } else {
            List<RegistryEntry> entries = registry.list(key, MAX_ENTRIES);
            Instant now = clock.instant();
            if (json) {
                out.println(EntryTable.JSON.writeValueAsString(new EntriesJson(key, EntryTable.json(entries, now))));
            } else {
                EntryTable.print(entries, now, out, noFormat);
            }
        }
        return null;
    }

    private String backendName() {
        return registry.backend();
    }
}
