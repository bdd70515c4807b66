package dev.natgw.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.AccessControlContext;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.security.auth.Subject;
import javax.security.auth.SubjectDomainCombiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@SuppressWarnings("removal")
class SubjectCallTransformerTest {

    private static final String KARAF = "org/apache/karaf/natgwtest";
    private static final String FELIX = "org/apache/felix/eventadmin/natgwtest";

    private final SubjectCallTransformer transformer = new SubjectCallTransformer();
    private final Subject subject = new Subject();
    private final AccessControlContext acc = new AccessControlContext(
            new AccessControlContext(new ProtectionDomain[0]), new SubjectDomainCombiner(subject));

    /** Karaf ships Java 8 class files (version 52); also cover what javac emits today. */
    static Stream<Arguments> probes() {
        return Stream.of(Arguments.of(KARAF, ClassFile.JAVA_8_VERSION),
                Arguments.of(FELIX, ClassFile.latestMajorVersion()));
    }

    @ParameterizedTest
    @MethodSource("probes")
    void unrewrittenProbeShowsTheJdk25Breakage(String pkg, int version) throws Throwable {
        Class<?> probe = new ProbeClasses.Loader(ProbeClasses.build(pkg, version)).loadClass(name(pkg, "Probe"));

        assertThatThrownBy(() -> invoke(probe, "getSubject", true, acc))
                .isInstanceOf(UnsupportedOperationException.class);
        PrivilegedAction<Subject> current = Subject::current;
        assertThat(invoke(probe, "run", true, current, acc)).isNull();
    }

    @ParameterizedTest
    @MethodSource("probes")
    void rewrittenGetSubjectReturnsTheSubjectOfTheContext(String pkg, int version) throws Throwable {
        Class<?> probe = rewrittenProbe(pkg, version);

        assertThat(invoke(probe, "getSubject", true, acc)).isSameAs(subject);
        assertThat(invoke(probe, "getSubject", false, acc)).isSameAs(subject);
    }

    @ParameterizedTest
    @MethodSource("probes")
    void rewrittenDoPrivilegedRunsAsTheSubjectOfTheContext(String pkg, int version) throws Throwable {
        Class<?> probe = rewrittenProbe(pkg, version);
        PrivilegedAction<Subject> current = Subject::current;
        PrivilegedExceptionAction<Subject> currentChecked = Subject::current;

        assertThat(invoke(probe, "run", true, current, acc)).isSameAs(subject);
        assertThat(invoke(probe, "runChecked", false, currentChecked, acc)).isSameAs(subject);
    }

    @ParameterizedTest
    @MethodSource("probes")
    void rewrittenDoPrivilegedWrapsCheckedExceptionsLikeAccessController(String pkg, int version)
            throws Throwable {
        Class<?> probe = rewrittenProbe(pkg, version);
        IOException failure = new IOException("boom");
        PrivilegedExceptionAction<Object> failing = () -> {
            throw failure;
        };

        assertThatThrownBy(() -> invoke(probe, "runChecked", true, failing, acc))
                .isInstanceOf(PrivilegedActionException.class)
                .cause().isSameAs(failure);
    }

    @ParameterizedTest
    @MethodSource("probes")
    void rewriteKeepsVersionAndConstantPoolAndCountsCallSites(String pkg, int version) {
        Map<String, byte[]> classes = ProbeClasses.build(pkg, version);
        byte[] original = classes.get(pkg + "/Probe");
        long classesBefore = SubjectCallTransformer.classesRewritten();
        long sitesBefore = SubjectCallTransformer.callSitesRewritten();

        byte[] rewritten = transform(new ProbeClasses.Loader(classes), pkg + "/Probe", original);

        assertThat(SubjectCallTransformer.classesRewritten()).isEqualTo(classesBefore + 1);
        assertThat(SubjectCallTransformer.callSitesRewritten()).isEqualTo(sitesBefore + 3);
        ClassModel before = ClassFile.of().parse(original);
        ClassModel after = ClassFile.of().parse(rewritten);
        assertThat(after.majorVersion()).isEqualTo(version);
        // shared pool: every original entry keeps its index, the bridge refs are appended
        assertThat(entries(after)).startsWith(entries(before).toArray(String[]::new));
        for (MethodModel method : after.methods()) {
            assertThat(method.code().orElseThrow().findAttribute(Attributes.stackMapTable())).isPresent();
        }
    }

    @Test
    void stackMapsNeedTheHierarchyFromTheDefiningLoader() {
        Map<String, byte[]> classes = ProbeClasses.build(KARAF, ClassFile.JAVA_8_VERSION);
        byte[] probe = classes.get(KARAF + "/Probe");

        String stderr = captureStderr(() -> assertThat(transform(null, KARAF + "/Probe", probe)).isNull());

        assertThat(stderr).contains(KARAF + "/Probe");
        assertThat(transform(new ProbeClasses.Loader(classes), KARAF + "/Probe", probe)).isNotNull();
    }

    @Test
    void classesOutsideKarafAndEventAdminAreUntouched() {
        Map<String, byte[]> classes = ProbeClasses.build(KARAF, ClassFile.JAVA_8_VERSION);
        ProbeClasses.Loader loader = new ProbeClasses.Loader(classes);

        assertThat(transform(loader, "com/example/Probe", classes.get(KARAF + "/Probe"))).isNull();
        assertThat(transform(loader, "org/apache/felix/scr/Probe", classes.get(KARAF + "/Probe"))).isNull();
        assertThat(transform(loader, null, classes.get(KARAF + "/Probe"))).isNull();
    }

    @Test
    void classesNotCallingTheTargetsAreUntouched() {
        Map<String, byte[]> classes = ProbeClasses.build(FELIX, ClassFile.latestMajorVersion());
        ProbeClasses.Loader loader = new ProbeClasses.Loader(classes);
        long before = SubjectCallTransformer.classesRewritten();

        assertThat(transform(loader, FELIX + "/Base", classes.get(FELIX + "/Base"))).isNull();
        assertThat(transform(loader, FELIX + "/Bystander", classes.get(FELIX + "/Bystander"))).isNull();
        assertThat(SubjectCallTransformer.classesRewritten()).isEqualTo(before);
    }

    @Test
    void malformedClassFileIsLeftAloneWithOneLineOnStderr() {
        byte[] garbage = "\u00ca\u00fe not a class, but it says getSubject".getBytes(StandardCharsets.ISO_8859_1);

        String stderr = captureStderr(
                () -> assertThat(transform(null, "org/apache/karaf/natgwtest/Broken", garbage)).isNull());

        assertThat(stderr.lines()).singleElement().asString().contains("org/apache/karaf/natgwtest/Broken");
    }

    @Test
    void verboseModeNamesEachRewrittenClass() {
        Map<String, byte[]> classes = ProbeClasses.build(KARAF, ClassFile.latestMajorVersion());
        System.setProperty("natgw.agent.verbose", "true");
        SubjectCallTransformer verbose;
        try {
            verbose = new SubjectCallTransformer();
        } finally {
            System.clearProperty("natgw.agent.verbose");
        }

        String stderr = captureStderr(() -> verbose.transform(new ProbeClasses.Loader(classes), KARAF + "/Probe",
                null, null, classes.get(KARAF + "/Probe")));

        assertThat(stderr.lines()).singleElement().asString().contains("3 call site(s)", KARAF + "/Probe");
    }

    private byte[] transform(ClassLoader loader, String className, byte[] bytes) {
        return transformer.transform(loader, className, null, null, bytes);
    }

    private Class<?> rewrittenProbe(String pkg, int version) throws ClassNotFoundException {
        Map<String, byte[]> classes = new HashMap<>(ProbeClasses.build(pkg, version));
        byte[] rewritten = transform(new ProbeClasses.Loader(classes), pkg + "/Probe", classes.get(pkg + "/Probe"));
        assertThat(rewritten).isNotNull();
        classes.put(pkg + "/Probe", rewritten);
        return new ProbeClasses.Loader(classes).loadClass(name(pkg, "Probe"));
    }

    private static String name(String pkg, String simpleName) {
        return pkg.replace('/', '.') + "." + simpleName;
    }

    /** Calls the probe's only method with that name, rethrowing what the method itself threw. */
    private static Object invoke(Class<?> probe, String method, Object... args) throws Throwable {
        Method target = Stream.of(probe.getMethods()).filter(m -> m.getName().equals(method)).findFirst()
                .orElseThrow();
        try {
            return target.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static List<String> entries(ClassModel model) {
        List<String> entries = new ArrayList<>();
        for (PoolEntry entry : model.constantPool()) {
            entries.add(entry.index() + " " + entry);
        }
        return entries;
    }

    private static String captureStderr(Runnable body) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
