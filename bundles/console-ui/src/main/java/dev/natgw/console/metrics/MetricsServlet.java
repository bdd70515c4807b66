package dev.natgw.console.metrics;

import dev.natgw.console.internal.JaasAuthenticator;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@code GET /metrics}: natgw's metrics in the Prometheus text format (version 0.0.4), written by the Prometheus
 * Java client. Without {@code metrics.auth} anyone who reaches the port may read it (loopback by default); with it, a
 * scraper logs in with HTTP Basic as a user of the realm.
 */
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient PrometheusRegistry registry = new PrometheusRegistry();
    private final transient PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final transient JaasAuthenticator authenticator;

    /**
     * @param metrics natgw's collector
     * @param authenticator the realm to check HTTP Basic against, or null for no login
     */
    public MetricsServlet(NatgwMetrics metrics, JaasAuthenticator authenticator) {
        registry.register(metrics);
        this.authenticator = authenticator;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (authenticator != null && !authorized(request.getHeader("Authorization"))) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"natgw\", charset=\"UTF-8\"");
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(writer.getContentType());
        response.setHeader("Cache-Control", "no-store");
        try (OutputStream out = response.getOutputStream()) {
            writer.write(out, registry.scrape());
        }
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6) || header.length() > 4096) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        int colon = decoded.indexOf(':');
        return colon > 0 && authenticator.login(decoded.substring(0, colon), decoded.substring(colon + 1)
                .toCharArray()).isPresent();
    }
}
