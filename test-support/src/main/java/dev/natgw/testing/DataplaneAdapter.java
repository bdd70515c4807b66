package dev.natgw.testing;

import dev.natgw.api.dataplane.CaptureResult;
import dev.natgw.api.dataplane.Dataplane;
import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.PortStats;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.WorkerInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@link dev.natgw.api.dataplane.Dataplane} for tests: every method throws {@link UnsupportedOperationException} until a test overrides
 * the ones it needs, so a test states exactly which part of the service it relies on.
 */
public class DataplaneAdapter implements Dataplane {
    @Override
    public List<PortInfo> ports() {
        throw new UnsupportedOperationException("ports");
    }

    @Override
    public PortStats portStats(String a0) {
        throw new UnsupportedOperationException("portStats");
    }

    @Override
    public List<WorkerInfo> workers() {
        throw new UnsupportedOperationException("workers");
    }

    @Override
    public RssConfig rss() {
        throw new UnsupportedOperationException("rss");
    }

    @Override
    public List<String> stages() {
        throw new UnsupportedOperationException("stages");
    }

    @Override
    public CaptureResult capture(String a0, int a1, Duration a2, Path a3) throws IOException {
        throw new UnsupportedOperationException("capture");
    }
}
