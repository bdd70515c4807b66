package dev.natgw.core.cli;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** Completes the symbolic names of natgw's bundles. */
@Service
public class NatgwBundleCompleter implements Completer {

    @Reference
    BundleContext bundleContext;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (Bundle b : bundleContext.getBundles()) {
            String sn = b.getSymbolicName();
            if (sn != null && sn.startsWith("dev.natgw.")) {
                names.getStrings().add(sn);
            }
        }
        return names.complete(session, commandLine, candidates);
    }
}
