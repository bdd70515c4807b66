package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.ForwarderAdminService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code fwd:revoke}: withdraws a key's allow-listing. */
@Command(scope = "fwd", name = "revoke", description = "Withdraws a key's allow-listing: if the key is registered"
        + " by it, its server is disconnected at once and the key unregistered. (A server registered with a"
        + " tenant credential is removed with fwd:tenant-remove.)")
@Service
public class RevokeCommand implements Action {

    @Reference
    ForwarderAdminService admin;

    @Argument(index = 0, name = "KEY", description = "The allow-listed key", required = true)
    @Completion(AllowedKeyCompleter.class)
    String key;

    @Override
    public Object execute() {
        if (!admin.revoke(key)) {
            throw new IllegalArgumentException("key " + key + " is not allow-listed");
        }
        System.out.println("Key " + key + " revoked.");
        return null;
    }
}
