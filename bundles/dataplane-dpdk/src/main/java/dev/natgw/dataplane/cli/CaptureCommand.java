package dev.natgw.dataplane.cli;

import dev.natgw.api.dataplane.CaptureResult;
import dev.natgw.api.dataplane.Dataplane;
import java.io.IOException;
import java.nio.file.Files;
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

    @Argument(index = 1, name = "FILE", description = "The pcap file to write (replaced if it exists), under natgw's data"
            + " directory: a relative name is taken from there, and a path that leads out of it is refused", required = true)
    String file;

    @Option(name = "-c", aliases = "--count", description = "Frames to capture (default 100)")
    int count = 100;

    @Option(name = "-t", aliases = "--timeout", description = "Seconds to wait at most (default 10)")
    int timeoutSeconds = 10;

    @Override
    public Object execute() throws Exception {
        Path target = underData(Path.of(System.getProperty("karaf.data", "data")), file);
        CaptureResult r = dataplane.capture(port, count, Duration.ofSeconds(timeoutSeconds), target);
        System.out.println("captured " + r.packets() + " frames (" + r.bytes() + " bytes) on " + r.port() + " into "
                + r.file());
        return null;
    }

    /**
     * Where a capture named {@code file} goes: under {@code data} (natgw's data directory, whose files only the
     * appliance's user reads), never elsewhere, so a shell user cannot overwrite a file of the running system.
     * Symbolic links are followed before the check.
     *
     * @param data the data directory
     * @param file the name the user gave, relative to data or absolute
     * @return the file's absolute path
     * @throws IllegalArgumentException if it lies outside data
     * @throws IOException if the data directory cannot be read
     */
    static Path underData(Path data, String file) throws IOException {
        Path base = data.toAbsolutePath().normalize();
        Path target = base.resolve(file).normalize();
        Path parent = target.getParent();
        boolean inside = parent != null && target.startsWith(base) && !target.equals(base);
        if (inside && Files.exists(parent)) {
            inside = parent.toRealPath().startsWith(base.toRealPath());
        }
        if (inside && Files.isSymbolicLink(target)) {
            inside = false;
        }
        if (!inside) {
            throw new IllegalArgumentException("dp:capture writes only under the data directory " + base + "; "
                    + file + " is outside it");
        }
        return target;
    }
}
