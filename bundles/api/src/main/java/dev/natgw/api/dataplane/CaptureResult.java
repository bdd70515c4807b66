package dev.natgw.api.dataplane;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link Dataplane#capture} wrote.
 *
 * @param port the port captured on
 * @param file the pcap file written
 * @param packets frames written, at least 0
 * @param bytes bytes of frame data written (without pcap headers), at least 0
 */
public record CaptureResult(String port, Path file, int packets, long bytes) {
    /** Validates. */
    public CaptureResult {
        Checks.notBlank("port", port);
        Objects.requireNonNull(file, "file");
        Checks.nonNegative("packets", packets);
        Checks.nonNegative("bytes", bytes);
    }
}
