package dev.natgw.registry.internal;

import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener that keeps every call's values, and counts calls running at once. */
public final class Recorder implements RegistryListener {
    public final List<List<String>> calls = new CopyOnWriteArrayList<>();
    public final List<String> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    public volatile int mostAtOnce;

    @Override
    public void changed(String key, List<RegistryEntry> current) {
        int now = running.incrementAndGet();
        mostAtOnce = Math.max(mostAtOnce, now);
        threads.add(Thread.currentThread().getName());
        calls.add(current.stream().map(RegistryEntry::value).sorted().toList());
        running.decrementAndGet();
    }

    /** {@return the values of the latest call, or null before the first} */
    public List<String> last() {
        return calls.isEmpty() ? null : calls.get(calls.size() - 1);
    }
}
