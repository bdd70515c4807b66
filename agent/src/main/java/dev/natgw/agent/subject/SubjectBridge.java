package dev.natgw.agent.subject;

import java.security.AccessControlContext;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import javax.security.auth.Subject;
import javax.security.auth.SubjectDomainCombiner;

/**
 * Stand-ins, with identical descriptors, for the three JDK calls the agent redirects in Karaf and
 * Felix EventAdmin classes. Without the Security Manager the JDK no longer carries a Subject in an
 * {@link AccessControlContext}; these methods carry it with {@link Subject#callAs} instead.
 * <p>
 * Invariants: only public java.base API is used (this class loads in the bootstrap loader and must
 * survive JDK patch updates); the exceptions callers see are the ones
 * {@code java.security.AccessController.doPrivileged} would have thrown; the inherited slot is
 * restored to its previous value when an action ends, however it ends.
 */
@SuppressWarnings("removal") // AccessControlContext and friends are deprecated for removal
public final class SubjectBridge {

    /**
     * Before JDK 24 a thread inherited its creator's AccessControlContext, so a Karaf shell thread
     * started inside JaasHelper.doAs still saw the logged-in Subject. The ScopedValue behind
     * {@link Subject#current()} is not inherited by new threads, so this slot restores that.
     */
    private static final InheritableThreadLocal<Subject> INHERITED = new InheritableThreadLocal<>();

    private SubjectBridge() {
    }

    /** Replaces {@code Subject.getSubject(AccessControlContext)}, which now always throws. */
    public static Subject getSubject(AccessControlContext acc) {
        SubjectDomainCombiner combiner = combinerOf(acc);
        if (combiner != null) {
            return combiner.getSubject();
        }
        Subject current = Subject.current();
        return current != null ? current : INHERITED.get();
    }

    /** Replaces {@code AccessController.doPrivileged(PrivilegedAction, AccessControlContext)}. */
    public static <T> T doPrivileged(PrivilegedAction<T> action, AccessControlContext acc) {
        Subject subject = subjectOf(acc);
        if (subject == null) {
            return action.run();
        }
        try {
            return runAs(subject, action::run);
        } catch (Exception e) {
            // run() declares nothing checked, so this is a runtime exception or a sneaky throw
            throw SubjectBridge.<RuntimeException>rethrow(e);
        }
    }

    /**
     * Replaces {@code AccessController.doPrivileged(PrivilegedExceptionAction,
     * AccessControlContext)}: checked exceptions are wrapped, unchecked ones are not.
     */
    public static <T> T doPrivileged(PrivilegedExceptionAction<T> action, AccessControlContext acc)
            throws PrivilegedActionException {
        Subject subject = subjectOf(acc);
        try {
            return subject == null ? action.run() : runAs(subject, action::run);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new PrivilegedActionException(e);
        }
    }

    /** The combiner Karaf's JaasHelper puts in the context to carry the Subject. */
    private static SubjectDomainCombiner combinerOf(AccessControlContext acc) {
        return acc != null && acc.getDomainCombiner() instanceof SubjectDomainCombiner combiner ? combiner : null;
    }

    private static Subject subjectOf(AccessControlContext acc) {
        SubjectDomainCombiner combiner = combinerOf(acc);
        return combiner == null ? null : combiner.getSubject();
    }

    /** Runs body as subject; throws exactly what body threw (callAs wraps it, we unwrap). */
    private static <T> T runAs(Subject subject, Callable<T> body) throws Exception {
        Subject previous = INHERITED.get();
        INHERITED.set(subject);
        try {
            return Subject.callAs(subject, body);
        } catch (CompletionException e) {
            throw SubjectBridge.<Exception>rethrow(e.getCause() != null ? e.getCause() : e);
        } finally {
            if (previous == null) {
                INHERITED.remove();
            } else {
                INHERITED.set(previous);
            }
        }
    }

    /** Throws t unchanged, whatever its type; the declared return only lets callers write throw. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
