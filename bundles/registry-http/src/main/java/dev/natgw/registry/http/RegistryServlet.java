package dev.natgw.registry.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Serves {@link RegistryHttpFace} over HTTP below {@value #BASE} ({@link RegistryHttpManager} registers it). Reads at
 * most {@link RegistryHttpFace#MAX_BODY} bytes of a body. Stateless apart from the face.
 */
public class RegistryServlet extends HttpServlet {
    /** Where the face lives on the HTTP server. */
    public static final String BASE = "/natgw/registry/v1";
    /** The servlet's name on the HTTP server. */
    public static final String NAME = "natgw-registry";

    private static final long serialVersionUID = 1L;

    private final transient RegistryHttpFace face;

    public RegistryServlet(RegistryHttpFace face) {
        this.face = face;
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
