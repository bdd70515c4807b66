package dev.natgw.agent.subject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.AccessControlContext;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.security.ProtectionDomain;
import java.util.concurrent.atomic.AtomicReference;
import javax.security.auth.Subject;
import javax.security.auth.SubjectDomainCombiner;
import org.junit.jupiter.api.Test;

@SuppressWarnings("removal")
class SubjectBridgeTest {

    private final Subject alice = new Subject();
    private final Subject bob = new Subject();

    @Test
    void getSubjectReturnsTheSubjectOfTheContextsCombiner() {
        assertThat(SubjectBridge.getSubject(contextOf(alice))).isSameAs(alice);
        assertThat(Subject.callAs(bob, () -> SubjectBridge.getSubject(contextOf(alice)))).isSameAs(alice);
    }

    @Test
    void getSubjectWithoutCombinerFallsBackToTheCurrentSubject() {
        AccessControlContext plain = new AccessControlContext(new ProtectionDomain[0]);

        assertThat(SubjectBridge.getSubject(plain)).isNull();
        assertThat(SubjectBridge.getSubject(null)).isNull();
        assertThat(Subject.callAs(bob, () -> SubjectBridge.getSubject(plain))).isSameAs(bob);
    }

    @Test
    void doPrivilegedRunsTheActionAsTheSubjectOfTheContext() throws Exception {
        PrivilegedAction<Subject> current = Subject::current;
        PrivilegedExceptionAction<Subject> currentChecked = Subject::current;

        assertThat(SubjectBridge.doPrivileged(current, contextOf(alice))).isSameAs(alice);
        assertThat(SubjectBridge.doPrivileged(currentChecked, contextOf(alice))).isSameAs(alice);
        assertThat(Subject.current()).isNull();
    }

    @Test
    void doPrivilegedWithoutSubjectJustRunsTheAction() throws Exception {
        PrivilegedAction<String> plain = () -> "ran";
        PrivilegedExceptionAction<String> plainChecked = () -> "ran";

        assertThat(SubjectBridge.doPrivileged(plain, null)).isEqualTo("ran");
        assertThat(SubjectBridge.doPrivileged(plainChecked, new AccessControlContext(new ProtectionDomain[0])))
                .isEqualTo("ran");
    }

    @Test
    void threadStartedInsideTheActionSeesTheSubject() {
        AtomicReference<Subject> current = new AtomicReference<>();
        PrivilegedAction<Subject> startShell = () -> {
            current.set(onNewThread(Subject::current));
            return onNewThread(() -> SubjectBridge.getSubject(null));
        };

        assertThat(SubjectBridge.doPrivileged(startShell, contextOf(alice))).isSameAs(alice);
        assertThat(current.get()).as("why the bridge needs its own inherited slot").isNull();
        assertThat(onNewThread(() -> SubjectBridge.getSubject(null))).isNull();
    }

    @Test
    void nestedActionsRestoreTheOuterInheritedSubject() {
        PrivilegedAction<Subject> outer = () -> {
            SubjectBridge.doPrivileged((PrivilegedAction<Void>) () -> null, contextOf(bob));
            return onNewThread(() -> SubjectBridge.getSubject(null));
        };

        assertThat(SubjectBridge.doPrivileged(outer, contextOf(alice))).isSameAs(alice);
        assertThat(onNewThread(() -> SubjectBridge.getSubject(null))).isNull();
    }

    @Test
    void runtimeExceptionsAndErrorsPropagateUnwrapped() {
        IllegalStateException runtime = new IllegalStateException("runtime");
        AssertionError error = new AssertionError("error");

        assertThatThrownBy(() -> SubjectBridge.doPrivileged((PrivilegedAction<Object>) () -> {
            throw runtime;
        }, contextOf(alice))).isSameAs(runtime);
        assertThatThrownBy(() -> SubjectBridge.doPrivileged((PrivilegedExceptionAction<Object>) () -> {
            throw runtime;
        }, contextOf(alice))).isSameAs(runtime);
        assertThatThrownBy(() -> SubjectBridge.doPrivileged((PrivilegedAction<Object>) () -> {
            throw error;
        }, contextOf(alice))).isSameAs(error);
        assertThatThrownBy(() -> SubjectBridge.doPrivileged((PrivilegedExceptionAction<Object>) () -> {
            throw error;
        }, contextOf(alice))).isSameAs(error);
    }

    @Test
    void checkedExceptionsAreWrappedLikeAccessControllerDoes() {
        IOException checked = new IOException("checked");
        PrivilegedExceptionAction<Object> failing = () -> {
            throw checked;
        };

        assertThatThrownBy(() -> SubjectBridge.doPrivileged(failing, contextOf(alice)))
                .isInstanceOf(PrivilegedActionException.class).cause().isSameAs(checked);
        assertThatThrownBy(() -> SubjectBridge.doPrivileged(failing, null))
                .isInstanceOf(PrivilegedActionException.class).cause().isSameAs(checked);
    }

    @Test
    void inheritedSubjectIsClearedAfterAFailedAction() {
        assertThatThrownBy(() -> SubjectBridge.doPrivileged((PrivilegedAction<Object>) () -> {
            throw new IllegalStateException();
        }, contextOf(alice))).isInstanceOf(IllegalStateException.class);

        assertThat(onNewThread(() -> SubjectBridge.getSubject(null))).isNull();
    }

    /** What Karaf's JaasHelper builds to carry a Subject. */
    private static AccessControlContext contextOf(Subject subject) {
        return new AccessControlContext(new AccessControlContext(new ProtectionDomain[0]),
                new SubjectDomainCombiner(subject));
    }

    /** Runs body on a new thread created here, and waits for it. */
    private static Subject onNewThread(PrivilegedAction<Subject> body) {
        AtomicReference<Subject> seen = new AtomicReference<>();
        Thread thread = new Thread(() -> seen.set(body.run()));
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return seen.get();
    }
}
