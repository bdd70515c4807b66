package dev.natgw.console.model;

import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.WorkerInfo;
import java.util.ArrayList;
import java.util.List;

/** The Dataplane view's figures: ports with their counters and queues, workers, and the stages attached. */
public final class DataplaneModel {
    private DataplaneModel() {
    }

    /**
     * A port and its counters.
     *
     * @param info the port
     * @param stats its counters now
     */
    public record Port(PortInfo info, PortStats stats) {
    }

    /**
     * Everything the view shows.
     *
     * @param ports the ports in configuration order
     * @param workers the workers by id
     * @param stages the stage names in run order
     */
    public record Snapshot(List<Port> ports, List<WorkerInfo> workers, List<String> stages) {
    }

    /**
     * Reads the figures.
     *
     * @param dataplane the dataplane, or null while absent
     * @return the figures, or why there are none
     */
    public static Reading<Snapshot> read(Dataplane dataplane) {
        return Reading.of(dataplane, "The dataplane (Dataplane)", d -> {
            List<Port> ports = new ArrayList<>();
            for (PortInfo p : d.ports()) {
                ports.add(new Port(p, d.portStats(p.name())));
            }
            return new Snapshot(ports, d.workers(), d.stages());
        });
    }
}
