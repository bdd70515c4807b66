package dev.natgw.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaStaticInitializer;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

/**
 * The house rules of {@code HOUSE-STYLE.md} and {@code ARCHITECTURE.md} that can be read from compiled classes. Each
 * rule's message says what to do instead; {@link ExportsTest} checks the manifests.
 */
class HouseRulesTest {
    /** Packet-path packages: per-packet code that must not allocate, lock, log or call OSGi. */
    private static final String FASTPATH = "dev.natgw..fastpath..";

    @Test
    void fastpathUsesNoStreamsOptionalLocksLoggingOrOsgi() {
        ArchRule rule = classes().that().resideInAPackage(FASTPATH)
                .should(new ArchCondition<JavaClass>("use no streams, Optional, locks, logging or OSGi") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        for (JavaField f : c.getFields()) {
                            if (forbiddenOnThePacketPath(f.getRawType())) {
                                events.add(SimpleConditionEvent.violated(f, f.getFullName() + " has type "
                                        + f.getRawType().getName()));
                            }
                        }
                        for (JavaCodeUnit u : c.getCodeUnits()) {
                            // a static initializer runs once, when the class loads: never on the packet path
                            if (u.getName().equals(JavaStaticInitializer.STATIC_INITIALIZER_NAME)) {
                                continue;
                            }
                            for (JavaAccess<?> a : u.getAccessesFromSelf()) {
                                if (forbiddenOnThePacketPath(a.getTargetOwner())) {
                                    events.add(SimpleConditionEvent.violated(a, a.getDescription()));
                                }
                            }
                            for (JavaClass t : u.getRawParameterTypes()) {
                                if (forbiddenOnThePacketPath(t)) {
                                    events.add(SimpleConditionEvent.violated(u, u.getFullName() + " takes "
                                            + t.getName()));
                                }
                            }
                            if (forbiddenOnThePacketPath(u.getRawReturnType())) {
                                events.add(SimpleConditionEvent.violated(u, u.getFullName() + " returns "
                                        + u.getRawReturnType().getName()));
                            }
                        }
                    }
                }).because("fastpath code runs per packet on a worker: no allocation, lock, logging or OSGi call"
                        + " (HOUSE-STYLE.md, Fast path); move control-plane code out of fastpath/");
        rule.check(Bundles.classes());
    }

    private static boolean forbiddenOnThePacketPath(JavaClass target) {
        String pkg = target.getPackageName();
        String name = target.getName();
        return pkg.startsWith("java.util.stream") || pkg.startsWith("java.util.concurrent.locks")
                || pkg.startsWith("org.slf4j") || pkg.startsWith("java.util.logging") || pkg.startsWith("org.osgi")
                || pkg.startsWith("org.apache.felix") || name.equals("java.util.Optional")
                || name.equals("java.util.OptionalInt") || name.equals("java.util.OptionalLong");
    }

    @Test
    void fastpathHasNoSynchronizedMethodsOrLambdas() {
        ArchRule rule = methods().that().areDeclaredInClassesThat().resideInAPackage(FASTPATH).should(
                new ArchCondition<com.tngtech.archunit.core.domain.JavaMethod>(
                        "be neither synchronized nor a lambda body") {
                    @Override
                    public void check(com.tngtech.archunit.core.domain.JavaMethod m, ConditionEvents events) {
                        boolean sync = m.getModifiers().contains(JavaModifier.SYNCHRONIZED);
                        boolean lambda = m.getName().startsWith("lambda$");
                        if (sync || lambda) {
                            events.add(SimpleConditionEvent.violated(m, m.getFullName() + " is "
                                    + (sync ? "synchronized" : "a lambda body") + " in a fastpath package"));
                        }
                    }
                }).because("fastpath code takes no lock and allocates no capturing lambda per packet;"
                        + " write a plain loop or move the code to the control plane");
        rule.check(Bundles.classes());
    }

    @Test
    void internalPackagesDoNotReachBackToTheirBundlesTop() {
        ArchRule rule = classes().that().resideInAPackage("dev.natgw..internal..")
                .should(new ArchCondition<JavaClass>("not depend on their bundle's top package") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        String top = Bundles.top(c.getPackageName());
                        for (Dependency d : c.getDirectDependenciesFromSelf()) {
                            if (d.getTargetClass().getPackageName().equals(top)) {
                                events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                            }
                        }
                    }
                }).because("the manager at a bundle's top uses internal/, never the other way round; move what"
                        + " internal code needs down into internal/");
        rule.check(Bundles.classes());
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.natgw.(**)").should().beFreeOfCycles()
                .because("a package cycle makes a bundle one lump that cannot be read or split by concern")
                .check(Bundles.classes());
    }

    @Test
    void bundlesMeetOnlyThroughTheApi() {
        ArchRule rule = classes().should(new ArchCondition<JavaClass>("use no other bundle's classes than "
                + Bundles.SHARED) {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                String own = Bundles.of(c);
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    String target = Bundles.of(d.getTargetClass());
                    if (target != null && !target.equals(own) && !Bundles.SHARED.contains(target)) {
                        events.add(SimpleConditionEvent.violated(d, "[" + own + " -> " + target + "] "
                                + d.getDescription()));
                    }
                }
            }
        }).because("implementation bundles export nothing and meet through bundles/api services, so that each"
                + " can be updated alone (ARCHITECTURE.md)");
        rule.check(Bundles.classes());
    }

    @Test
    void handedOverStateStoresNoEnumOrdinals() {
        ArchRule rule = classes().that().resideInAnyPackage("dev.natgw.nat.handover..", "dev.natgw.nat.fastpath..",
                "dev.natgw.dataplane..")
                .should(new ArchCondition<JavaClass>("take no API enum's ordinal() or values()") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        for (JavaMethodCall call : c.getMethodCallsFromSelf()) {
                            if (ordinalOfApiEnum(call) && !partOfAnEnumSwitch(call)) {
                                events.add(SimpleConditionEvent.violated(call, call.getDescription()));
                            }
                        }
                    }
                }).because("state handed over to the next bundle revision stores explicit codes, never an enum's"
                        + " position: an api update that reorders the enum would change every adopted session"
                        + " (docs/design/handover.md)");
        rule.check(Bundles.classes());
    }

    private static boolean ordinalOfApiEnum(JavaMethodCall call) {
        JavaClass owner = call.getTargetOwner();
        String name = call.getName();
        return owner.isEnum() && owner.getPackageName().startsWith("dev.natgw.api")
                && (name.equals("ordinal") || name.equals("values"));
    }

    /**
     * javac compiles a switch over an enum into a lookup by {@code ordinal()} in a synthetic {@code $SwitchMap$} array
     * of a nested class, filled by {@code values()}: that reads the running revision's enum and stores nothing, which
     * is what the rule asks for instead of a stored ordinal. ArchUnit does not show the synthetic array's read, so a
     * call counts as a switch when its class (or the synthetic class itself) holds a switch map of that enum: an
     * explicit ordinal() beside a switch on the same enum in the same class would pass unseen.
     */
    private static boolean partOfAnEnumSwitch(JavaMethodCall call) {
        String map = "$SwitchMap$" + call.getTargetOwner().getName().replace('.', '$');
        JavaClass origin = call.getOriginOwner();
        String top = origin.getName().contains("$")
                ? origin.getName().substring(0, origin.getName().indexOf('$'))
                : origin.getName();
        for (JavaClass c : Bundles.classes()) {
            if ((c.getName().equals(top) || c.getName().startsWith(top + "$"))
                    && c.getFields().stream().anyMatch(f -> f.getName().equals(map))) {
                return true;
            }
        }
        return false;
    }
}
