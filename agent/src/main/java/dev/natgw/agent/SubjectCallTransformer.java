package dev.natgw.agent;

import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which loaded classes go through {@link SubjectCallRewriter}: only Karaf's and Felix
 * EventAdmin's, and only those whose bytes mention one of the target method names at all.
 * <p>
 * Invariants: never throws (an exception out of a transformer is swallowed by the JVM anyway, but
 * we want a line on stderr naming the class); returns null, meaning "unchanged", unless a call site
 * was redirected; the counters only grow and count successful rewrites.
 */
public final class SubjectCallTransformer implements ClassFileTransformer {

    private static final String[] PREFIXES = {"org/apache/karaf/", "org/apache/felix/eventadmin/"};

    /** A target call needs its name as a UTF-8 constant; no name, nothing to parse. */
    private static final byte[][] NAMES = {
            "getSubject".getBytes(StandardCharsets.UTF_8), "doPrivileged".getBytes(StandardCharsets.UTF_8)};

    private static final AtomicLong CLASSES_REWRITTEN = new AtomicLong();
    private static final AtomicLong CALL_SITES_REWRITTEN = new AtomicLong();

    private final boolean verbose = Boolean.getBoolean("natgw.agent.verbose");

    /** How many classes had at least one call site redirected since the JVM started. */
    public static long classesRewritten() {
        return CLASSES_REWRITTEN.get();
    }

    /** How many call sites were redirected since the JVM started. */
    public static long callSitesRewritten() {
        return CALL_SITES_REWRITTEN.get();
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (!inScope(className) || !mentionsTarget(classfileBuffer)) {
            return null;
        }
        try {
            SubjectCallRewriter.Result result = SubjectCallRewriter.rewrite(classfileBuffer, loader);
            if (result == null) {
                return null;
            }
            CLASSES_REWRITTEN.incrementAndGet();
            CALL_SITES_REWRITTEN.addAndGet(result.callSites());
            if (verbose) {
                System.err.println("natgw-jdk-agent: rewrote " + result.callSites() + " call site(s) in " + className);
            }
            return result.classFile();
        } catch (Throwable t) {
            // the class then loads unchanged: it fails later exactly as it would without the agent
            System.err.println("natgw-jdk-agent: left " + className + " unchanged: " + t);
            return null;
        }
    }

    private static boolean inScope(String className) {
        if (className == null) {
            return false;
        }
        for (String prefix : PREFIXES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentionsTarget(byte[] bytes) {
        for (byte[] name : NAMES) {
            for (int i = 0; i <= bytes.length - name.length; i++) {
                if (Arrays.equals(bytes, i, i + name.length, name, 0, name.length)) {
                    return true;
                }
            }
        }
        return false;
    }
}
