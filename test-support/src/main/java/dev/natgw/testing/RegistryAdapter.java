package dev.natgw.testing;

import dev.natgw.api.registry.Registry;
import dev.natgw.api.registry.RegistryEntry;
import dev.natgw.api.registry.RegistryListener;
import java.time.Duration;
import java.util.List;

/**
 * {@link dev.natgw.api.registry.Registry} for tests: every method throws {@link UnsupportedOperationException} until a test overrides
 * the ones it needs, so a test states exactly which part of the service it relies on.
 */
public class RegistryAdapter implements Registry {
    @Override
    public RegistryEntry announce(String a0, String a1, Duration a2) {
        throw new UnsupportedOperationException("announce");
    }

    @Override
    public List<RegistryEntry> lookup(String a0, int a1) {
        throw new UnsupportedOperationException("lookup");
    }

    @Override
    public List<RegistryEntry> list(String a0, int a1) {
        throw new UnsupportedOperationException("list");
    }

    @Override
    public boolean withdraw(String a0, String a1) {
        throw new UnsupportedOperationException("withdraw");
    }

    @Override
    public Registry.Watch watch(String a0, RegistryListener a1) {
        throw new UnsupportedOperationException("watch");
    }

    @Override
    public String backend() {
        throw new UnsupportedOperationException("backend");
    }
}
