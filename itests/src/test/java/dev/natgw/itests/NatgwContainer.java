package dev.natgw.itests;

import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.natgw.agent.subject.SubjectBridge;
import java.security.AccessControlContext;
import java.security.AccessController;
import java.security.PrivilegedExceptionAction;
import javax.security.auth.Subject;
import javax.security.auth.SubjectDomainCombiner;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The Pax Exam configuration shared by the in-container tests: the natgw distribution as built by this reactor,
 * started with the same JVM options as its bin/karaf (JDK 25 module flags, native access, the natgw JDK agent).
 */
final class NatgwContainer {

    static final String VERSION = System.getProperty("natgw.version");

    private NatgwContainer() {
    }

    static Option[] distribution() {
        String karaf = System.getProperty("karaf.version");
        return new Option[]{
                karafDistributionConfiguration().frameworkUrl("file:" + System.getProperty("natgw.distribution"))
                        .karafVersion(karaf).name("natgw").unpackDirectory(new File("target/exam"))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.WARN),
                // Each container gets ports of its own so that a natgw running on this machine does not collide.
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", freePort()),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", freePort()),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", freePort()),
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", freePort()),
                editConfigurationFilePut("etc/dev.natgw.forwarder.cfg", "listen.port", freePort()),
                editConfigurationFilePut("etc/dev.natgw.console.cfg", "port", freePort()),
                // the mvn: resolver of the container reads the reactor's local repository for the test bundles
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                        System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository")),
                // how long an @Inject waits for its service: Pax Exam's 10 s ran out on a machine under load
                // (RegistryIT's Registry); a service that never comes still fails the test
                systemProperty("pax.exam.service.timeout").value("60000"),
                systemProperty("natgw.core.jar").value(System.getProperty("natgw.core.jar")),
                systemProperty("natgw.itests.work").value(System.getProperty("natgw.itests.work")),
                systemProperty("natgw.topology").value(System.getProperty("natgw.topology")),
                systemProperty("natgw.dataplane.jar").value(System.getProperty("natgw.dataplane.jar")),
                systemProperty("natgw.nat.jar").value(System.getProperty("natgw.nat.jar")),
                // Awaitility for waits inside the container (and the Hamcrest 2 it needs)
                mavenBundle("org.hamcrest", "hamcrest").version(System.getProperty("hamcrest.version")),
                mavenBundle("org.awaitility", "awaitility").version(System.getProperty("awaitility.version")),
                vmOptions("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                        "-javaagent:" + System.getProperty("natgw.agent.jar"),
                        "--add-reads=java.xml=java.logging",
                        "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                        "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karaf + ".jar",
                        "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karaf + ".jar",
                        "--add-opens", "java.base/java.security=ALL-UNNAMED",
                        "--add-opens", "java.base/java.net=ALL-UNNAMED",
                        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                        "--add-opens", "java.base/java.util=ALL-UNNAMED",
                        "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                        "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                        "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                        "-classpath", "lib/jdk9plus/*:lib/boot/*"),
        };
    }

    /** @return a loopback TCP port that was free a moment ago */
    static String freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return String.valueOf(socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a command as the shell of a logged-in admin would: in a session of Karaf's SessionFactory, under a Subject
     * with the admin roles, so that Karaf's role checks (redirected by the natgw JDK agent) see it.
     *
     * @return what the command printed, with its result appended if it returned one
     */
    static String execute(SessionFactory sessions, String command) throws Exception {
        return execute(sessions, command, "itest", "admin", "manager", "viewer", "systembundles");
    }

    /** Runs a command as {@code user} with only the given roles; see {@link #execute(SessionFactory, String)}. */
    @SuppressWarnings("removal")
    static String execute(SessionFactory sessions, String command, String user, String... roles) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Set<Principal> principals = new HashSet<>();
        principals.add(new UserPrincipal(user));
        for (String role : roles) {
            principals.add(new RolePrincipal(role));
        }
        Subject subject = new Subject(true, principals, Set.of(), Set.of());
        // Exactly what Karaf's JaasHelper.doAs(subject, action) does on JDK 25 once the natgw agent has redirected
        // its AccessController.doPrivileged(action, acc) call: the command runs on Gogo's pipe threads, which must
        // inherit the Subject for Karaf's role checks (ACLs) to pass.
        @SuppressWarnings("removal")
        AccessControlContext acc = new AccessControlContext(AccessController.getContext(),
                new SubjectDomainCombiner(subject));
        Object result = SubjectBridge.doPrivileged((PrivilegedExceptionAction<Object>) () -> {
            try (Session session = sessions.create(System.in, out, out)) {
                return session.execute(command);
            }
        }, acc);
        out.flush();
        String printed = bytes.toString(StandardCharsets.UTF_8);
        return result == null ? printed : printed + result;
    }

    static final List<String> NATGW_BUNDLES = List.of("dev.natgw.api", "dev.natgw.state", "dev.natgw.core",
            "dev.natgw.nat",
            "dev.natgw.registry", "dev.natgw.registry.http", "dev.natgw.forwarder", "dev.natgw.dataplane.dpdk",
            "dev.natgw.console");

    /** @return the installed bundle with this symbolic name; fails the test if there is none */
    static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " not installed");
    }
}
