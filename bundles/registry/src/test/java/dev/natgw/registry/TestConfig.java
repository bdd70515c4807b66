package dev.natgw.registry;

import java.lang.annotation.Annotation;

/** A {@link RegistryConfig} built in tests, with the defaults of the annotation. */
record TestConfig(String backend, String zookeeper_connect, String zookeeper_root, int zookeeper_session_timeout,
        int zookeeper_connect_timeout, int max_entries, int max_watches) implements RegistryConfig {

    static TestConfig embedded() {
        return new TestConfig("embedded", "127.0.0.1:2181", "/natgw/registry", 30, 10, 100000, 1000);
    }

    static TestConfig zookeeper(String connect, String root) {
        return new TestConfig("zookeeper", connect, root, 10, 10, 100000, 1000);
    }

    TestConfig withBackend(String b) {
        return new TestConfig(b, zookeeper_connect, zookeeper_root, zookeeper_session_timeout,
                zookeeper_connect_timeout, max_entries, max_watches);
    }

    TestConfig withConnect(String c) {
        return new TestConfig(backend, c, zookeeper_root, zookeeper_session_timeout, zookeeper_connect_timeout,
                max_entries, max_watches);
    }

    TestConfig withRoot(String r) {
        return new TestConfig(backend, zookeeper_connect, r, zookeeper_session_timeout, zookeeper_connect_timeout,
                max_entries, max_watches);
    }

    TestConfig withTimeouts(int session, int connect) {
        return new TestConfig(backend, zookeeper_connect, zookeeper_root, session, connect, max_entries,
                max_watches);
    }

    TestConfig withBounds(int entries, int watches) {
        return new TestConfig(backend, zookeeper_connect, zookeeper_root, zookeeper_session_timeout,
                zookeeper_connect_timeout, entries, watches);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return RegistryConfig.class;
    }
}
