package dev.natgw.api.status;

import java.util.Objects;

/**
 * The JVM the appliance runs on.
 *
 * @param version {@code Runtime.version()} as text, for example {@code 25.0.3+9-LTS}
 * @param vendor {@code java.vendor}
 * @param home {@code java.home}
 * @param nativeAccess whether code in bundles (unnamed modules) may call native code through Panama FFM without a
 *     warning, that is whether the JVM was started with {@code --enable-native-access=ALL-UNNAMED}
 */
public record JdkInfo(String version, String vendor, String home, boolean nativeAccess) {

    public JdkInfo {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(home, "home");
    }
}
