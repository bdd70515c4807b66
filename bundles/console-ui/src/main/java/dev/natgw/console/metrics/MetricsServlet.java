package dev.natgw.console.metrics;

import dev.natgw.console.internal.GuardedLogin;
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
    private final transient GuardedLogin authenticator;

    /**
     * @param metrics natgw's collector
     * @param authenticator the realm to check HTTP Basic against, or null for no login
     */
    public MetricsServlet(NatgwMetrics metrics, GuardedLogin authenticator) {
        registry.register(metrics);
        this.authenticator = authenticator;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (authenticator != null) {
            GuardedLogin.Outcome outcome = authorize(request.getRemoteAddr(), request.getHeader("Authorization"));
            if (outcome.throttled()) {
                // too many failed logins from this address or for this name: the realm is not asked
                response.setHeader("Retry-After", String.valueOf(Math.max(1, outcome.retryAfter().toSeconds())));
                response.sendError(429);
                return;
            }
            if (outcome.user().isEmpty()) {
                response.setHeader("WWW-Authenticate", "Basic realm=\"natgw\", charset=\"UTF-8\"");
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
                return;
            }
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(writer.getContentType());
        response.setHeader("Cache-Control", "no-store");
        try (OutputStream out = response.getOutputStream()) {
            writer.write(out, registry.scrape());
        }
    }

    private GuardedLogin.Outcome authorize(String source, String header) {
        GuardedLogin.Outcome none = new GuardedLogin.Outcome(java.util.Optional.empty(), java.time.Duration.ZERO);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6) || header.length() > 4096) {
            return none;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return none;
        }
        int colon = decoded.indexOf(':');
        return colon > 0
                ? authenticator.login(source, decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray())
                : none;
    }
}
