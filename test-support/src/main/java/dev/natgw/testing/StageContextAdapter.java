package dev.natgw.testing;

import dev.natgw.api.dataplane.PortInfo;
import dev.natgw.api.dataplane.RssConfig;
import dev.natgw.api.dataplane.StageContext;
import java.util.List;

/**
 * {@link dev.natgw.api.dataplane.StageContext} for tests: every method throws {@link UnsupportedOperationException} until a test overrides
 * the ones it needs, so a test states exactly which part of the service it relies on.
 */
public class StageContextAdapter implements StageContext {
    @Override
    public int workerCount() {
        throw new UnsupportedOperationException("workerCount");
    }

    @Override
    public RssConfig rss() {
        throw new UnsupportedOperationException("rss");
    }

    @Override
    public List<PortInfo> ports() {
        throw new UnsupportedOperationException("ports");
    }

    @Override
    public int workerForQueue(int a0) {
        throw new UnsupportedOperationException("workerForQueue");
    }
}
