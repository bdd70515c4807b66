package dev.natgw.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
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
        ArchRule rule = noClasses().that().resideInAPackage(FASTPATH).should().dependOnClassesThat()
                .resideInAnyPackage("java.util.stream..", "java.util.concurrent.locks..", "org.slf4j..",
                        "java.util.logging..", "org.osgi..", "org.apache.felix..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Optional")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.OptionalInt")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.OptionalLong")
                .because("fastpath code runs per packet on a worker: no allocation, lock, logging or OSGi call"
                        + " (HOUSE-STYLE.md, Fast path); move control-plane code out of fastpath/");
        rule.check(Bundles.classes());
    }

    @Test
    void fastpathHasNoSynchronizedMethodsOrLambdas() {
        ArchRule rule = methods().that().areDeclaredInClassesThat().resideInAPackage(FASTPATH).should(
                new ArchCondition<com.tngtech.archunit.core.domain.JavaMethod>("be neither synchronized nor a lambda body") {
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
        DescribedPredicate<JavaAccess<?>> ordinalOfApiEnum = new DescribedPredicate<>("ordinal() or values() of an"
                + " API enum") {
            @Override
            public boolean test(JavaAccess<?> a) {
                if (!(a instanceof JavaMethodCall call)) {
                    return false;
                }
                JavaClass owner = call.getTargetOwner();
                String name = call.getName();
                return owner.isEnum() && owner.getPackageName().startsWith("dev.natgw.api")
                        && (name.equals("ordinal") || name.equals("values"));
            }
        };
        ArchRule rule = noClasses().that().resideInAnyPackage("dev.natgw.nat..", "dev.natgw.dataplane..")
                .should().accessTargetWhere(ordinalOfApiEnum)
                .because("state handed over to the next bundle revision stores explicit codes, never an enum's"
                        + " position: an api update that reorders the enum would change every adopted session"
                        + " (docs/design/handover.md)");
        rule.check(Bundles.classes());
    }
}
