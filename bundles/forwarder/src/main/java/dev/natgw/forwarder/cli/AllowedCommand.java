package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.AllowedKey;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code fwd:allowed}: the allow-listed server keys. */
@Command(scope = "fwd", name = "allowed", description = "Lists the allow-listed server keys: the tenant each counts"
        + " against, when it was added, and whether it is registered now.")
@Service
public class AllowedCommand extends AdmissionAction {

    /** The JSON shape of one key. */
    record AllowedJson(String key, String tenant, String added, boolean registered) {
    }

    @Override
    public Object execute() throws Exception {
        List<AllowedKey> keys = admin.allowed();
        if (json) {
            System.out.println(Json.write(keys.stream().map(k -> new AllowedJson(k.key(), k.tenant(), k.added()
                    .toString(), k.registered())).toList()));
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Key");
        table.column("Tenant");
        table.column("Added");
        table.column("Registered");
        for (AllowedKey k : keys) {
            table.addRow().addContent(k.key(), k.tenant().isEmpty() ? "-" : k.tenant(), k.added(), k.registered()
                    ? "yes"
                    : "no");
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
