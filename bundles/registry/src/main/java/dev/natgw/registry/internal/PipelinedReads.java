package dev.natgw.registry.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.zookeeper.KeeperException;

/**
 * Reads many znodes at once on one Curator client: requests go out back to back on the session, at most
 * {@link #IN_FLIGHT} outstanding, instead of one round trip after the other. Each reply is one znode's children or
 * data, so none nears the packet limit. Stateless; safe from any thread.
 */
final class PipelinedReads {

    /** The most reads outstanding at once, which bounds the replies held before they are consumed. */
    static final int IN_FLIGHT = 64;

    private final CuratorFramework client;
    private final long waitMillis;

    /**
     * @param client the started client
     * @param wait the longest a single read may take (Curator retries included) before the whole batch fails
     */
    PipelinedReads(CuratorFramework client, Duration wait) {
        this.client = client;
        this.waitMillis = wait.toMillis();
    }

    /** {@return each path's children, in the order of paths; null for a path that does not exist} */
    @SuppressWarnings("unchecked")
    List<List<String>> children(List<String> paths) throws Exception {
        Object[] results = read(paths, false);
        return Arrays.asList((List<String>[]) Arrays.copyOf(results, results.length, List[].class));
    }

    /** {@return each path's data, in the order of paths; null for a path that does not exist} */
    List<byte[]> data(List<String> paths) throws Exception {
        Object[] results = read(paths, true);
        return Arrays.asList(Arrays.copyOf(results, results.length, byte[][].class));
    }

    private Object[] read(List<String> paths, boolean data) throws Exception {
        Object[] results = new Object[paths.size()];
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicReference<KeeperException> failure = new AtomicReference<>();
        try {
            for (int i = 0; i < paths.size() && failure.get() == null; i++) {
                if (!slots.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                    throw new TimeoutException("no reply from the ensemble in " + waitMillis + " ms");
                }
                int index = i;
                BackgroundCallback done = (c, event) -> {
                    try {
                        KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                        if (code == KeeperException.Code.OK) {
                            results[index] = data ? event.getData() : event.getChildren();
                        } else if (code != KeeperException.Code.NONODE) {
                            failure.compareAndSet(null, KeeperException.create(code, event.getPath()));
                        }
                    } finally {
                        slots.release();
                    }
                };
                if (data) {
                    client.getData().inBackground(done).forPath(paths.get(i));
                } else {
                    client.getChildren().inBackground(done).forPath(paths.get(i));
                }
            }
        } finally {
            // every read sent has answered (or the wait ran out) before results are read or the batch is given up
            if (!slots.tryAcquire(IN_FLIGHT, waitMillis, TimeUnit.MILLISECONDS)) {
                failure.compareAndSet(null, new KeeperException.OperationTimeoutException());
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return results;
    }
}
