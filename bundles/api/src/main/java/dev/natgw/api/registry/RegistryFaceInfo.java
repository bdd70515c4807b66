package dev.natgw.api.registry;

import java.util.List;
import java.util.Objects;

/**
 * How the registry's HTTP face is reached: where the appliance's HTTP server listens and, when it serves HTTPS, the
 * certificate a client pins ({@code https://HOST:PORT/natgw/registry/v1#sha256:HEX}).
 *
 * @param addresses the addresses the HTTP server listens on, as configured
 * @param beyondLoopback whether any of them is not a loopback address, so that plain HTTP is refused there
 * @param https whether the HTTP server has an HTTPS connector
 * @param httpsPort the HTTPS connector's port, or 0 without one
 * @param fingerprint the SHA-256 of the HTTPS certificate ({@code "sha256:"} and lowercase hex), or null without
 *     HTTPS or when its key store cannot be read
 * @param generated whether the HTTPS key is the one the appliance generated at its first start
 */
public record RegistryFaceInfo(List<String> addresses, boolean beyondLoopback, boolean https, int httpsPort,
        String fingerprint, boolean generated) {
    /** Validates and copies. */
    public RegistryFaceInfo {
        addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
    }

    /**
     * {@return how the face is reached, in words, as {@code natgw:status} and the console show it} Such as
     * {@code HTTPS on 127.0.0.1,198.19.0.1 port 8443, certificate sha256:… (generated)}.
     */
    public String describe() {
        String on = String.join(",", addresses);
        if (https) {
            return "HTTPS on " + on + " port " + httpsPort + ", certificate " + (fingerprint == null
                    ? "unknown (its key store cannot be read)"
                    : fingerprint + (generated ? " (generated)" : ""));
        }
        return "plain HTTP on " + on + (beyondLoopback
                ? ", refused beyond loopback: no HTTPS connector (docs/manual/registry.md)"
                : ", loopback only");
    }
}
