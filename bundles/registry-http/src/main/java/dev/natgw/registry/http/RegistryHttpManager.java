package dev.natgw.registry.http;

import dev.natgw.api.registry.Registry;
import java.time.Clock;
import java.util.Hashtable;
import javax.servlet.ServletException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.HttpService;
import org.osgi.service.http.NamespaceException;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the registry's HTTP face ({@link RegistryServlet}) at {@value RegistryServlet#BASE} on the appliance's HTTP
 * server, through this bundle's own {@link HttpService}.
 *
 * <p>
 * Invariant: the face is served from the end of the constructor to the start of {@link #deactivate()}, so a bundle
 * that is ACTIVE with this component active answers at once. Both calls are synchronous (Pax Web registers an
 * HttpService servlet in Jetty before it returns), and the HttpService is this bundle's own: the framework releases
 * it when the bundle stops and hands a new one to the next start. The face is not published as an HTTP Whiteboard
 * servlet: Pax Web's whiteboard registers asynchronously, and it drops a bundle's web container only when that
 * bundle's STOPPED event reaches it, on the framework's event thread; a restart that comes first (an update, a
 * refresh, on a loaded machine) registers the new servlet with the stopped container, which drops it, and the face
 * then answered 404 until the servlet was registered again.
 *
 * <p>
 * Its bounds are configuration {@value #PID} ({@link RegistryHttpConfig}); a change applies at once, keeping what the
 * face counted and the nonces it saw, and a bad one is refused with the old bounds kept.
 */
@Component(configurationPid = RegistryHttpManager.PID)
@Designate(ocd = RegistryHttpConfig.class)
public class RegistryHttpManager {
    /** The configuration PID. */
    public static final String PID = "dev.natgw.registry.http";

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpManager.class);

    private final HttpService http;
    private final RegistryHttpFace face;

    /**
     * Registers the face.
     *
     * @throws IllegalArgumentException naming the configuration key at fault
     * @throws NamespaceException if something else is served at {@value RegistryServlet#BASE}
     */
    @Activate
    public RegistryHttpManager(@Reference HttpService http, @Reference Registry registry, RegistryHttpConfig config)
            throws ServletException, NamespaceException {
        this.http = http;
        RegistryHttpSettings settings = RegistryHttpSettings.of(config);
        this.face = new RegistryHttpFace(registry, Clock.systemUTC(), settings);
        Hashtable<String, String> init = new Hashtable<>();
        // the name Pax Web shows in its logs and in web:servlet-list
        init.put("servlet-name", RegistryServlet.NAME);
        // bodies are read without holding a thread (slow senders), which needs asynchronous support
        init.put(RegistryServlet.ASYNC_SUPPORTED, "true");
        http.registerServlet(RegistryServlet.BASE, new RegistryServlet(face), init, null);
        LOG.info("natgw registry HTTP face at {}: {}", RegistryServlet.BASE, settings);
    }

    /** Applies new bounds; a bad configuration is refused and the face keeps the bounds it had. */
    @Modified
    void modified(RegistryHttpConfig config) {
        face.settings(RegistryHttpSettings.of(config));
    }

    /** {@return the face this manager serves} */
    RegistryHttpFace face() {
        return face;
    }

    @Deactivate
    void deactivate() {
        http.unregister(RegistryServlet.BASE);
        LOG.info("natgw registry HTTP face stopped");
    }
}
