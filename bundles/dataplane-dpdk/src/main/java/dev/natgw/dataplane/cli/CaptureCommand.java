package dev.natgw.dataplane.cli;

import dev.natgw.api.dataplane.CaptureResult;
import dev.natgw.api.dataplane.Dataplane;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code dp:capture}: writes a pcap of a port's frames. */
@Command(scope = "dp", name = "capture", description = "Captures frames a port receives or sends into a pcap file"
        + " that Wireshark and tcpdump read. Waits until COUNT frames are written or the timeout passes.")
@Service
public class CaptureCommand implements Action {
    @Reference
    Dataplane dataplane;

    @Argument(index = 0, name = "PORT", description = "inside or outside", required = true)
    String port;

    @Argument(index = 1, name = "FILE", description = "The pcap file to write (replaced if it exists)", required = true)
    String file;

    @Option(name = "-c", aliases = "--count", description = "Frames to capture (default 100)")
    int count = 100;

    @Option(name = "-t", aliases = "--timeout", description = "Seconds to wait at most (default 10)")
    int timeoutSeconds = 10;

    @Override
    public Object execute() throws Exception {
        CaptureResult r = dataplane.capture(port, count, Duration.ofSeconds(timeoutSeconds),
                Path.of(file).toAbsolutePath());
        System.out.println("captured " + r.packets() + " frames (" + r.bytes() + " bytes) on " + r.port() + " into "
                + r.file());
        return null;
    }
}
