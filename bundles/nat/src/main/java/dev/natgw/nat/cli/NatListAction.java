package dev.natgw.nat.cli;

import dev.natgw.api.nat.NatAdminService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** What the nat: listings share: the translator, and printing as JSON or as a table with or without borders. */
abstract class NatListAction implements Action {

    @Reference
    NatAdminService natService;

    @Option(name = "--json", description = "Print one JSON document instead of a table")
    boolean json;

    @Option(name = "--no-format", description = "Plain table without borders, for scripts")
    boolean noFormat;
}
