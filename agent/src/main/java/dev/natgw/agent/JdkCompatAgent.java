package dev.natgw.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point of {@code -javaagent:natgw-jdk-agent.jar}. Registers {@link SubjectCallTransformer}
 * before Karaf's launcher runs, so every Karaf and Felix EventAdmin class is seen as it is first
 * defined.
 * <p>
 * Invariant: the transformer is registered without retransformation; classes already loaded are
 * never touched (none of them is in scope at premain time), and nothing is redefined later.
 */
public final class JdkCompatAgent {

    private JdkCompatAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        inst.addTransformer(new SubjectCallTransformer(), false);
    }
}
