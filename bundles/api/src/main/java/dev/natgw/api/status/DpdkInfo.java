package dev.natgw.api.status;

import java.util.List;
import java.util.Objects;

/**
 * What was found of DPDK on this machine, by looking at files only: nothing is loaded into the JVM to find out.
 *
 * @param found whether DPDK's EAL library ({@code librte_eal.so*}) was found
 * @param version the DPDK version from {@code libdpdk.pc}, or the library's ABI suffix when there is no pkg-config
 *     file; empty when not found
 * @param libraries the paths of the EAL and ethdev libraries found, first match per library
 * @param hint what to do when something is missing (for example which Debian packages to install); empty when all is
 *     there
 */
public record DpdkInfo(boolean found, String version, List<String> libraries, String hint) {

    public DpdkInfo {
        Objects.requireNonNull(version, "version");
        libraries = List.copyOf(Objects.requireNonNull(libraries, "libraries"));
        Objects.requireNonNull(hint, "hint");
    }
}
