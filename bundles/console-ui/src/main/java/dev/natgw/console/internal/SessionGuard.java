package dev.natgw.console.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Puts the {@link SessionGate} in front of the console: a request without a session may open one only if the gate
 * has a place for it, else it is answered at once (503 when the console is full, 429 when its address is) and Vaadin
 * never sees it. As a session listener it gives every new session its ticket and the short idle timeout of a session
 * not logged in, and frees the place when the session ends, however it ends (log out, timeout, role re-check). A
 * session opened by a request that was not for a page (a manifest, an icon) is ended with its request.
 */
public final class SessionGuard extends HttpFilter implements HttpSessionListener {
    private static final long serialVersionUID = 1L;
    /** The session attribute holding the session's {@link SessionGate.Ticket}. */
    public static final String TICKET = "natgw.ticket";
    /** Seconds a refused client is told to wait: about how long places take to free. */
    static final int RETRY_AFTER = 30;

    /** The place reserved for the session the current request may open. */
    private static final ThreadLocal<SessionGate.Ticket> PENDING = new ThreadLocal<>();

    private final transient SessionGate gate;
    private final int loginTimeoutSeconds;

    /**
     * @param gate the gate
     * @param loginTimeoutSeconds idle timeout of a session until it logs in
     */
    public SessionGuard(SessionGate gate, int loginTimeoutSeconds) {
        this.gate = gate;
        this.loginTimeoutSeconds = loginTimeoutSeconds;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getSession(false) != null) {
            chain.doFilter(request, response);
            return;
        }
        SessionGate.Admission admission = gate.admit(request.getRemoteAddr());
        if (admission.verdict() != SessionGate.Verdict.ADMITTED) {
            refuse(response, admission.verdict());
            return;
        }
        SessionGate.Ticket ticket = admission.ticket();
        PENDING.set(ticket);
        try {
            chain.doFilter(request, response);
        } finally {
            PENDING.remove();
            if (ticket.session() == null) {
                gate.release(ticket); // the request opened no session (a static file, say)
            } else if (!isPage(response.getContentType())) {
                // Vaadin opens a session for the web manifest and its icons too, which browsers fetch without the
                // cookie: at every page load, sessions nobody would come back to, each holding a place
                ticket.end();
            }
        }
    }

    private static boolean isPage(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "text/html", 0, 9);
    }

    private static void refuse(HttpServletResponse response, SessionGate.Verdict verdict) throws IOException {
        boolean source = verdict == SessionGate.Verdict.SOURCE_FULL;
        response.setStatus(source ? 429 : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setHeader("Retry-After", String.valueOf(RETRY_AFTER));
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("text/plain;charset=utf-8");
        byte[] text = (source
                ? "natgw console: too many sessions from your address; log out elsewhere or try again later.\n"
                : "natgw console: too many sessions; try again later.\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(text.length);
        response.getOutputStream().write(text);
    }

    @Override
    public void sessionCreated(HttpSessionEvent event) {
        SessionGate.Ticket ticket = PENDING.get();
        PENDING.remove();
        if (ticket == null) {
            ticket = gate.force("(unknown)");
        }
        HttpSession session = event.getSession();
        ticket.attach(session);
        session.setAttribute(TICKET, ticket);
        session.setMaxInactiveInterval(loginTimeoutSeconds);
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        if (event.getSession().getAttribute(TICKET) instanceof SessionGate.Ticket ticket) {
            gate.release(ticket);
        }
    }
}
