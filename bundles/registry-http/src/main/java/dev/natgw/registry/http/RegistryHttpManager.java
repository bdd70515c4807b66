package dev.natgw.registry.http;

import dev.natgw.api.registry.Registry;
import java.time.Clock;
import java.util.Hashtable;
import javax.servlet.ServletException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.HttpService;
import org.osgi.service.http.NamespaceException;
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
 */
@Component
public class RegistryHttpManager {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpManager.class);

    private final HttpService http;

    /**
     * Registers the face.
     *
     * @throws NamespaceException if something else is served at {@value RegistryServlet#BASE}
     */
    @Activate
    public RegistryHttpManager(@Reference HttpService http, @Reference Registry registry)
            throws ServletException, NamespaceException {
        this.http = http;
        Hashtable<String, String> init = new Hashtable<>();
        // the name Pax Web shows in its logs and in web:servlet-list
        init.put("servlet-name", RegistryServlet.NAME);
        http.registerServlet(RegistryServlet.BASE, new RegistryServlet(new RegistryHttpFace(registry, Clock
                .systemUTC())), init, null);
        LOG.info("natgw registry HTTP face at {}", RegistryServlet.BASE);
    }

    @Deactivate
    void deactivate() {
        http.unregister(RegistryServlet.BASE);
        LOG.info("natgw registry HTTP face stopped");
    }
}
