package dev.natgw.dataplane.internal;

import java.util.List;

/** What the dp: commands need beyond the {@link dev.natgw.api.dataplane.Dataplane} API; inside this bundle. */
public interface DataplaneControl {
    /**
     * Lists a port's neighbour table.
     *
     * @param port the port's name
     * @return rows of address, MAC, age in milliseconds
     */
    List<String[]> neighbours(String port);

    /** {@return why the ports are not running (bad configuration, a device that did not start), or null} */
    String failure();
}
