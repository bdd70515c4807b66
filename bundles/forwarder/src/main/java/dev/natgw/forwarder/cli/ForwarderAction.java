package dev.natgw.forwarder.cli;

import dev.natgw.api.forwarder.ForwarderService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** What the fwd: commands share: the forwarder, and printing as JSON or as a table with or without borders. */
abstract class ForwarderAction implements Action {

    @Reference
    ForwarderService forwarder;

    @Option(name = "--json", description = "Print one JSON document instead of a table")
    boolean json;

    @Option(name = "--no-format", description = "A plain table without borders, for scripts")
    boolean noFormat;
}
