package dev.natgw.core.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.natgw.api.nat.NatService;
import dev.natgw.api.state.DepositInfo;
import dev.natgw.api.state.HandOverRecord;
import dev.natgw.api.state.StateKeeper;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code natgw:state}: the off-heap state the keeper holds between two revisions of a bundle now, the recent
 * hand-overs and how they ended, and what the NAT made of the last one.
 */
@Command(scope = "natgw", name = "state", description = "Shows the off-heap state the state keeper holds between"
        + " two revisions of a bundle (normally nothing: the next revision claims it at once), the recent hand-overs"
        + " and how they ended, and whether the NAT adopted or refused the last one.")
@Service
public class StateCommand implements Action {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Reference
    StateKeeper keeper;

    @Reference(optional = true)
    NatService nat;

    @Option(name = "--json", description = "Print one JSON document")
    boolean json;

    @Option(name = "--no-format", description = "Plain tables without borders, for scripts")
    boolean noFormat;

    Clock clock = Clock.systemUTC();

    /** The JSON shape; instants as ISO-8601 text, the NAT's outcome null without a NAT. */
    record StateJson(List<Deposit> deposits, List<Ended> history, String natHandOver) {
    }

    record Deposit(String owner, int layoutVersion, int segments, int arenas, long bytes, String depositedAt,
            long heldMillis) {
    }

    record Ended(String owner, int layoutVersion, long bytes, String depositedAt, String endedAt, long heldMillis,
            String outcome) {
    }

    @Override
    public Object execute() throws Exception {
        Instant now = clock.instant();
        List<DepositInfo> held = keeper.deposits();
        List<HandOverRecord> history = keeper.history();
        String natHandOver = nat == null ? null : nat.lastHandOver();
        if (json) {
            System.out.println(JSON.writeValueAsString(new StateJson(held.stream()
                    .map(d -> new Deposit(d.owner(), d.layoutVersion(), d.segments(), d.arenas(), d.bytes(),
                            d.depositedAt().toString(), Duration.between(d.depositedAt(), now).toMillis()))
                    .toList(),
                    history.stream().map(h -> new Ended(h.owner(), h.layoutVersion(), h.bytes(),
                            h.depositedAt().toString(), h.endedAt().toString(), h.held().toMillis(),
                            h.outcome().name().toLowerCase(Locale.ROOT))).toList(),
                    natHandOver)));
        } else {
            print(held, history, natHandOver, now, System.out, noFormat);
        }
        return null;
    }

    static void print(List<DepositInfo> held, List<HandOverRecord> history, String natHandOver, Instant now,
            PrintStream out, boolean noFormat) {
        if (held.isEmpty()) {
            out.println("Held now: nothing");
        } else {
            out.println("Held now (the next revision has not claimed it yet):");
            ShellTable t = new ShellTable();
            t.column("Owner");
            t.column("Layout").alignRight();
            t.column("Segments").alignRight();
            t.column("Arenas").alignRight();
            t.column("Bytes").alignRight();
            t.column("Deposited");
            t.column("Held ms").alignRight();
            for (DepositInfo d : held) {
                t.addRow().addContent(d.owner(), d.layoutVersion(), d.segments(), d.arenas(), d.bytes(),
                        d.depositedAt(), Duration.between(d.depositedAt(), now).toMillis());
            }
            t.print(out, !noFormat);
        }
        out.println();
        if (history.isEmpty()) {
            out.println("Hand-overs: none since natgw's core started");
        } else {
            out.println("Hand-overs, newest first:");
            ShellTable t = new ShellTable();
            t.column("Owner");
            t.column("Layout").alignRight();
            t.column("Bytes").alignRight();
            t.column("Deposited");
            t.column("Held ms").alignRight();
            t.column("Outcome");
            for (HandOverRecord h : history) {
                t.addRow().addContent(h.owner(), h.layoutVersion(), h.bytes(), h.depositedAt(), h.held().toMillis(),
                        switch (h.outcome()) {
                            case CLAIMED -> "claimed by the next revision";
                            case REPLACED -> "freed: deposited again before anyone claimed it";
                            case CLOSED -> "freed: the keeper stopped before anyone claimed it";
                        });
            }
            t.print(out, !noFormat);
        }
        if (natHandOver != null) {
            out.println();
            out.println("NAT, last hand-over: " + natHandOver);
        }
    }
}
