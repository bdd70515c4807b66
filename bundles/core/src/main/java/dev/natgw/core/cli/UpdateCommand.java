package dev.natgw.core.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.natgw.core.internal.BundleSwap;
import dev.natgw.core.internal.JarSource;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * {@code natgw:update BUNDLE [URL]}: replaces a natgw bundle while natgw runs, waits for it and its services,
 * and reports what was swapped and what the swap cost.
 */
@Command(scope = "natgw", name = "update", description = "Updates a natgw bundle from a new jar (a file: or mvn:"
        + " URL or a file; default: re-read its location; the jar must carry the bundle's symbolic name), waits until it is ACTIVE and its services are back, and reports versions,"
        + " revisions, times, NAT sessions before and after, and the packets the dataplane dropped meanwhile.")
@Service
public class UpdateCommand implements Action {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Reference
    BundleContext bundleContext;

    @Argument(index = 0, name = "bundle", required = true, description = "The bundle's id or symbolic name")
    @Completion(NatgwBundleCompleter.class)
    String bundle;

    @Argument(index = 1, name = "url", required = false, description = "The new jar: a file: or mvn: URL or a file"
            + " path (http: and other schemes are refused); default: the bundle's location, which for a -SNAPSHOT is"
            + " natgw's system/ copy. Its Bundle-SymbolicName must be the bundle's")
    String url;

    @Option(name = "--sha256", description = "The jar's SHA-256 (64 hex digits, as sha256sum prints it): a jar with"
            + " another digest is refused before the bundle is touched")
    String sha256;

    @Option(name = "--timeout", description = "Seconds to wait for the bundle and its services (default 60)")
    int timeoutSeconds = 60;

    @Option(name = "--json", description = "Print one JSON document")
    boolean json;

    @Override
    public Object execute() throws Exception {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second, was " + timeoutSeconds);
        }
        if (sha256 != null) {
            JarSource.parseSha256(sha256);
        }
        BundleSwap swap = new BundleSwap(bundleContext);
        Bundle target = swap.find(bundle);
        BundleSwap.Report report = swap.update(target, url, sha256, Duration.ofSeconds(timeoutSeconds));
        if (json) {
            System.out.println(JSON.writeValueAsString(UpdateJson.of(report)));
        } else {
            print(report, System.out);
        }
        return null;
    }

    static void print(BundleSwap.Report r, PrintStream out) {
        out.println("updated " + r.symbolicName() + " [" + r.bundleId() + "] from " + r.source() + " (SHA-256 "
                + r.sha256() + ")");
        ShellTable t = new ShellTable();
        t.column("");
        t.column("before");
        t.column("after");
        t.addRow().addContent("version", r.oldVersion(), r.newVersion());
        t.addRow().addContent("revision", r.oldRevision(), r.newRevision());
        t.addRow().addContent("NAT sessions", sessions(r.sessionsBefore()), sessions(r.sessionsAfter()));
        t.print(out, true);
        out.println("ACTIVE after " + r.millisToActive() + " ms; services back after " + r.millisToServices() + " ms ("
                + String.join(", ", r.services()) + ")");
        StringBuilder drops = new StringBuilder();
        for (Map.Entry<String, Long> e : r.dropped().entrySet()) {
            if (e.getValue() != 0) {
                drops.append(drops.isEmpty() ? " (" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            }
        }
        out.println("dataplane drops during the swap: " + (r.dropped().isEmpty()
                ? "no dataplane"
                : r.droppedTotal() + (drops.isEmpty() ? "" : drops + ")")));
    }

    private static String sessions(long n) {
        return n < 0 ? "no NAT" : String.valueOf(n);
    }
}
