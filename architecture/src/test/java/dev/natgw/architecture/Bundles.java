package dev.natgw.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;

/**
 * Which natgw bundle (or library) a package belongs to, by the longest package prefix that names it. The table is
 * the single place that knows the tree's bundles; a package no entry covers belongs to no bundle and fails
 * {@link #of(String)}, so a new bundle must be added here before the rules accept it.
 */
final class Bundles {
    /** Bundles whose packages every other bundle may use: the contracts and the wire protocol's codec. */
    static final List<String> SHARED = List.of("api", "state", "protocol");

    private record Root(String pkg, String bundle) {
    }

    // longest prefixes first: dev.natgw.registry.http is registry-http, not registry
    private static final List<Root> ROOTS = List.of(
            new Root("dev.natgw.traversal.protocol", "protocol"),
            new Root("dev.natgw.registry.http", "registry-http"),
            new Root("dev.natgw.api.state", "state"),
            new Root("dev.natgw.api", "api"),
            new Root("dev.natgw.state", "state"),
            new Root("dev.natgw.core", "core"),
            new Root("dev.natgw.nat", "nat"),
            new Root("dev.natgw.dataplane", "dataplane-dpdk"),
            new Root("dev.natgw.forwarder", "forwarder"),
            new Root("dev.natgw.registry", "registry"),
            new Root("dev.natgw.traversal", "traversal"),
            new Root("dev.natgw.console", "console-ui"));

    private static JavaClasses classes;

    private Bundles() {
    }

    /** The main (not test) classes of every natgw bundle on this module's test class path, imported once. */
    static synchronized JavaClasses classes() {
        if (classes == null) {
            classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .withImportOption(location -> !location.contains("/dev/natgw/architecture/"))
                    .importPackages("dev.natgw");
        }
        return classes;
    }

    /** The bundle a package belongs to; throws for a package of no known bundle. */
    static String of(String pkg) {
        for (Root r : ROOTS) {
            if (pkg.equals(r.pkg) || pkg.startsWith(r.pkg + ".")) {
                return r.bundle;
            }
        }
        throw new IllegalArgumentException("package " + pkg + " belongs to no bundle known to Bundles.ROOTS");
    }

    /** The bundle of a natgw class, or null for a class outside dev.natgw (JDK, libraries). */
    static String of(JavaClass c) {
        String pkg = c.getPackageName();
        return pkg.startsWith("dev.natgw.") ? of(pkg) : null;
    }

    /** The top package of the bundle a package belongs to (its manager's package). */
    static String top(String pkg) {
        for (Root r : ROOTS) {
            if (pkg.equals(r.pkg) || pkg.startsWith(r.pkg + ".")) {
                return r.pkg;
            }
        }
        throw new IllegalArgumentException("package " + pkg + " belongs to no bundle known to Bundles.ROOTS");
    }
}
