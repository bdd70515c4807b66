package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.ForwarderAdminService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** What the fwd: admission commands share: the forwarder's admin face, and printing as JSON or as a table. */
abstract class AdmissionAction implements Action {

    @Reference
    ForwarderAdminService admin;

    @Option(name = "--json", description = "Print one JSON document instead of text")
    boolean json;

    @Option(name = "--no-format", description = "A plain table without borders, for scripts")
    boolean noFormat;
}
