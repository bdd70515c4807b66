package dev.natgw.core.internal;

import dev.natgw.api.status.DpdkInfo;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds DPDK's shared libraries the way the dynamic linker would, by looking at files only.
 *
 * <p>Nothing is loaded: loading {@code librte_eal} runs DPDK's constructors, which is the dataplane's business,
 * not a status probe's. Immutable; safe from any thread.
 */
public final class DpdkProbe {

    /** The libraries the dataplane needs, by their development names. */
    static final List<String> LIBRARIES = List.of("librte_eal.so", "librte_ethdev.so");

    static final String INSTALL_HINT = "install DPDK: apt-get install dpdk dpdk-dev libdpdk-dev";
    static final String DEV_HINT = "DPDK runtime found, but not its pkg-config file and headers, which the"
            + " dataplane build needs: apt-get install libdpdk-dev";

    private final List<Path> libraryDirs;

    /** @param libraryDirs the directories to search, in order; missing ones are skipped */
    public DpdkProbe(List<Path> libraryDirs) {
        this.libraryDirs = List.copyOf(libraryDirs);
    }

    /**
     * The probe for this machine: the given extra directories, then {@code LD_LIBRARY_PATH}, then those of
     * {@code /etc/ld.so.conf}, then the standard ones.
     *
     * @param extra directories separated by {@code :}; may be empty
     */
    public static DpdkProbe forSystem(String extra) {
        Set<Path> dirs = new LinkedHashSet<>();
        addPathList(dirs, extra);
        addPathList(dirs, System.getenv("LD_LIBRARY_PATH"));
        dirs.addAll(LdSoConf.directories(Path.of("/etc/ld.so.conf")));
        String arch = System.getProperty("os.arch", "amd64").equals("aarch64") ? "aarch64" : "x86_64";
        for (String d : List.of("/lib/" + arch + "-linux-gnu", "/usr/lib/" + arch + "-linux-gnu", "/lib64",
                "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib")) {
            dirs.add(Path.of(d));
        }
        return new DpdkProbe(new ArrayList<>(dirs));
    }

    private static void addPathList(Set<Path> dirs, String list) {
        if (list == null) {
            return;
        }
        for (String part : list.split(":")) {
            if (!part.isBlank()) {
                dirs.add(Path.of(part.strip()));
            }
        }
    }

    /** @return the directories searched, in order */
    public List<Path> libraryDirs() {
        return libraryDirs;
    }

    /** @return what is installed now; reads the file system on every call */
    public DpdkInfo probe() {
        List<String> found = new ArrayList<>();
        Path ealDir = null;
        Path eal = null;
        for (String library : LIBRARIES) {
            for (Path dir : libraryDirs) {
                Optional<Path> lib = find(dir, library);
                if (lib.isPresent()) {
                    found.add(lib.get().toString());
                    if (eal == null && library.equals(LIBRARIES.getFirst())) {
                        eal = lib.get();
                        ealDir = dir;
                    }
                    break;
                }
            }
        }
        if (eal == null) {
            return new DpdkInfo(false, "", found, INSTALL_HINT);
        }
        Optional<String> pcVersion = pkgConfigVersion(ealDir);
        if (pcVersion.isPresent()) {
            String hint = found.size() == LIBRARIES.size() ? "" : "librte_ethdev not found: " + INSTALL_HINT;
            return new DpdkInfo(true, pcVersion.get(), found, hint);
        }
        return new DpdkInfo(true, abiVersion(eal), found, DEV_HINT);
    }

    /** The development link {@code name} if present, else the first versioned {@code name.N...}. */
    private static Optional<Path> find(Path dir, String name) {
        Path exact = dir.resolve(name);
        if (Files.exists(exact)) {
            return Optional.of(exact);
        }
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(name + ".")).sorted().findFirst();
        } catch (IOException | SecurityException unreadable) {
            return Optional.empty();
        }
    }

    private static Optional<String> pkgConfigVersion(Path libDir) {
        for (Path pc : List.of(libDir.resolve("pkgconfig/libdpdk.pc"), Path.of("/usr/share/pkgconfig/libdpdk.pc"))) {
            if (!Files.isRegularFile(pc)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(pc)) {
                    if (line.startsWith("Version:")) {
                        return Optional.of(line.substring("Version:".length()).strip());
                    }
                }
            } catch (IOException unreadable) {
                // an unreadable .pc is as good as none: fall back to the library's ABI suffix
            }
        }
        return Optional.empty();
    }

    /** {@code librte_eal.so.23.0} gives {@code ABI 23.0}; a bare {@code .so} gives {@code unknown}. */
    static String abiVersion(Path library) {
        String name = library.getFileName().toString();
        int so = name.indexOf(".so.");
        return so < 0 ? "unknown" : "ABI " + name.substring(so + 4);
    }

    /** The directories named by {@code /etc/ld.so.conf} and the files it includes. */
    static final class LdSoConf {

        private LdSoConf() {
        }

        static List<Path> directories(Path conf) {
            List<Path> dirs = new ArrayList<>();
            read(conf, dirs, 0);
            return dirs;
        }

        private static void read(Path conf, List<Path> dirs, int depth) {
            if (depth > 4 || !Files.isRegularFile(conf)) {
                return;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(conf);
            } catch (IOException unreadable) {
                return;
            }
            for (String raw : lines) {
                int hash = raw.indexOf('#');
                String line = (hash < 0 ? raw : raw.substring(0, hash)).strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("include ")) {
                    for (Path included : glob(conf.getParent(), line.substring("include ".length()).strip())) {
                        read(included, dirs, depth + 1);
                    }
                } else if (line.startsWith("/")) {
                    dirs.add(Path.of(line));
                }
            }
        }

        private static List<Path> glob(Path base, String pattern) {
            Path full = base.resolve(pattern);
            Path dir = full.getParent();
            List<Path> matches = new ArrayList<>();
            if (dir == null || !Files.isDirectory(dir)) {
                return matches;
            }
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, full.getFileName().toString())) {
                stream.forEach(matches::add);
            } catch (IOException unreadable) {
                return matches;
            }
            matches.sort(null);
            return matches;
        }
    }
}
