package dev.natgw.registry.http;

import dev.natgw.api.registry.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link RegistryHttpFace} on the appliance's HTTP server through the OSGi HTTP Whiteboard, at
 * {@value #BASE}. Reads at most {@link RegistryHttpFace#MAX_BODY} bytes of a body. Stateless apart from the face.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=" + RegistryServlet.BASE + "/*",
        "osgi.http.whiteboard.servlet.name=natgw-registry"})
public class RegistryServlet extends HttpServlet {
    /** Where the face lives on the HTTP server. */
    public static final String BASE = "/natgw/registry/v1";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServlet.class);

    private final transient RegistryHttpFace face;

    @Activate
    public RegistryServlet(@Reference Registry registry) {
        this.face = new RegistryHttpFace(registry, Clock.systemUTC());
        LOG.info("natgw registry HTTP face at {}", BASE);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        Map<String, String> query = new HashMap<>();
        req.getParameterMap().forEach((k, v) -> {
            if (v.length > 0) {
                query.put(k, v[0]);
            }
        });
        byte[] body = null;
        if ("POST".equals(req.getMethod())) {
            try (InputStream in = req.getInputStream()) {
                byte[] read = in.readNBytes(RegistryHttpFace.MAX_BODY + 1);
                body = read.length > RegistryHttpFace.MAX_BODY ? null : read;
            }
        }
        RegistryHttpFace.Answer a = face.handle(req.getMethod(), path, query, body);
        byte[] json = a.json();
        resp.setStatus(a.status());
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setContentLength(json.length);
        resp.getOutputStream().write(json);
    }
}
