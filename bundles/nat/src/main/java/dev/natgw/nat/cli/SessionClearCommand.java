package dev.natgw.nat.cli;

import dev.natgw.api.nat.SessionFilter;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code nat:session-clear}: deletes sessions at once. Deleting every session cuts every connection
 * through the appliance, so that takes an explicit {@code --all}.
 */
@Command(scope = "nat", name = "session-clear", description = "Deletes the NAT sessions matching the filters, or"
        + " every session with --all. Their ports return to the pool after the hold-down.")
@Service
public class SessionClearCommand extends SessionFilterAction {

    @Option(name = "--all", description = "Delete every session; required when no filter is given")
    boolean all;

    @Override
    public Object execute() {
        SessionFilter filter = filter();
        boolean filtered = !filter.equals(SessionFilter.ALL);
        if (!filtered && !all) {
            throw new IllegalArgumentException("give a filter (--protocol, --inside, --remote, --pool), or --all to"
                    + " delete every session");
        }
        if (filtered && all) {
            // refused rather than guessed: the user may think --all widens the filter, or narrows it
            throw new IllegalArgumentException("--all deletes every session and cannot be combined with a filter");
        }
        int deleted = natService.clearSessions(filter);
        System.out.println(deleted + (deleted == 1 ? " session" : " sessions") + " deleted");
        return null;
    }
}
