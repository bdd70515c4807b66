package dev.natgw.console.internal;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.function.DeploymentConfiguration;
import com.vaadin.flow.server.ServiceException;
import com.vaadin.flow.server.VaadinServlet;
import com.vaadin.flow.server.VaadinServletRequest;
import com.vaadin.flow.server.VaadinServletService;
import com.vaadin.flow.server.VaadinSession;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpSession;
import java.io.InputStream;
import java.net.URL;

/**
 * The console's Vaadin servlet: it carries the services, the clock and the login to the views, serves the
 * {@code META-INF/resources} of the embedded jars from the bundle's class loader, and sends every navigation that
 * is not logged in to the login view.
 */
public final class ConsoleServlet extends VaadinServlet {
    private static final long serialVersionUID = 1L;
    private static final String USER = "natgw.user";

    private final transient ServiceBridge services;
    private final transient Ticker ticker;
    private final transient dev.natgw.console.model.RateHistory history;
    private final transient dev.natgw.console.model.SharedReading<dev.natgw.console.model.OverviewModel.Snapshot> overview = new dev.natgw.console.model.SharedReading<>(
            900_000_000L, System::nanoTime);
    private final transient dev.natgw.console.model.SharedReading<dev.natgw.console.model.TopHosts.Snapshot> topHosts = new dev.natgw.console.model.SharedReading<>(
            5_000_000_000L, System::nanoTime);
    private final transient GuardedLogin authenticator;
    private final transient SessionGate gate;
    private final int sessionTimeoutSeconds;
    private final transient ClassLoader loader;
    private final int sessionsGridMax;
    private final Class<? extends Component> loginView;

    /**
     * @param services the services
     * @param ticker the clock
     * @param history the NAT's rates, fed by the clock
     * @param authenticator the login
     * @param gate the session bounds
     * @param sessionTimeoutSeconds idle timeout of a logged-in session
     * @param loader the bundle's class loader
     * @param sessionsGridMax the most sessions one Sessions query copies
     * @param loginView the view every route forwards to until the user has logged in (given, so that this package
     *        does not depend on the views, which depend on it)
     */
    public ConsoleServlet(ServiceBridge services, Ticker ticker, dev.natgw.console.model.RateHistory history,
            GuardedLogin authenticator, SessionGate gate, int sessionTimeoutSeconds, ClassLoader loader,
            int sessionsGridMax, Class<? extends Component> loginView) {
        this.gate = gate;
        this.sessionTimeoutSeconds = sessionTimeoutSeconds;
        this.loginView = loginView;
        this.services = services;
        this.ticker = ticker;
        this.history = history;
        this.authenticator = authenticator;
        this.loader = loader;
        this.sessionsGridMax = sessionsGridMax;
    }

    /** {@return the servlet serving the current request} */
    public static ConsoleServlet current() {
        return (ConsoleServlet) VaadinServlet.getCurrent();
    }

    /** {@return the services} */
    public ServiceBridge services() {
        return services;
    }

    /** {@return the clock} */
    public Ticker ticker() {
        return ticker;
    }

    /** {@return the NAT's rates} */
    public dev.natgw.console.model.RateHistory history() {
        return history;
    }

    /** {@return the Overview's figures, read once per tick for all open Overviews} */
    public dev.natgw.console.model.SharedReading<dev.natgw.console.model.OverviewModel.Snapshot> overview() {
        return overview;
    }

    /**
     * {@return the top inside hosts, counted at most every 5 s for all open Overviews: each count copies up to
     * {@link #sessionsGridMax()} sessions}
     */
    public dev.natgw.console.model.SharedReading<dev.natgw.console.model.TopHosts.Snapshot> topHosts() {
        return topHosts;
    }

    /** {@return the most sessions one Sessions query copies} */
    public int sessionsGridMax() {
        return sessionsGridMax;
    }

    /**
     * Logs a user in to the current Vaadin session, through the failed-login throttle.
     *
     * @param user the name
     * @param password the password
     * @return the outcome: the user if the realm accepted them, or how long the client must wait; no user if the
     *         session ended meanwhile
     */
    public GuardedLogin.Outcome login(String user, String password) {
        com.vaadin.flow.server.VaadinRequest request = com.vaadin.flow.server.VaadinRequest.getCurrent();
        GuardedLogin.Outcome outcome = authenticator.login(request == null ? "" : request.getRemoteAddr(), user,
                password == null ? null : password.toCharArray());
        if (outcome.user().isEmpty() || !(request instanceof VaadinServletRequest http)) {
            return outcome;
        }
        // a new HTTP session id once logged in, so an id seen before the login is worth nothing after it; the same
        // session keeps its place, which a new one (Vaadin's reinitializeSession) could lose to a flood meanwhile
        http.getHttpServletRequest().changeSessionId();
        HttpSession session = http.getHttpServletRequest().getSession(false);
        if (session == null || !(session.getAttribute(SessionGuard.TICKET) instanceof SessionGate.Ticket ticket)
                || !gate.logIn(ticket, outcome.user().get().name())) {
            return new GuardedLogin.Outcome(java.util.Optional.empty(), java.time.Duration.ZERO);
        }
        session.setMaxInactiveInterval(sessionTimeoutSeconds);
        VaadinSession.getCurrent().setAttribute(USER, outcome.user().get());
        return outcome;
    }

    /** {@return the user of the current Vaadin session, or null} */
    public static JaasAuthenticator.User user() {
        VaadinSession s = VaadinSession.getCurrent();
        return s == null ? null : (JaasAuthenticator.User) s.getAttribute(USER);
    }

    @Override
    protected void servletInitialized() throws ServletException {
        super.servletInitialized();
        // Vaadin closes a session idle past its timeout (closeIdleSessions) but keeps the HTTP session under it:
        // end that too, so that its place is freed and no reload finds it still logged in
        getService().addSessionInitListener(init -> init.getSession().setAttribute(SessionGate.Ticket.class,
                init.getRequest().getWrappedSession().getAttribute(SessionGuard.TICKET) instanceof SessionGate.Ticket t
                        ? t
                        : null));
        getService().addSessionDestroyListener(destroyed -> {
            SessionGate.Ticket t = destroyed.getSession().getAttribute(SessionGate.Ticket.class);
            if (t != null) {
                t.end();
            }
        });
        getService().addUIInitListener(init -> init.getUI().addBeforeEnterListener(enter -> {
            if (!loginView.equals(enter.getNavigationTarget()) && user() == null) {
                enter.forwardTo(loginView);
            }
        }));
    }

    @Override
    protected VaadinServletService createServletService(DeploymentConfiguration configuration)
            throws ServiceException {
        VaadinServletService service = new VaadinServletService(this, configuration) {
            private static final long serialVersionUID = 1L;

            @Override
            public URL getStaticResource(String path) {
                URL url = super.getStaticResource(path);
                return url != null ? url : bundleResource(path);
            }

            @Override
            public URL getResource(String path) {
                URL url = super.getResource(path);
                return url != null ? url : bundleResource(path);
            }

            @Override
            public InputStream getResourceAsStream(String path) {
                InputStream in = super.getResourceAsStream(path);
                if (in != null) {
                    return in;
                }
                URL url = bundleResource(path);
                try {
                    return url == null ? null : url.openStream();
                } catch (java.io.IOException e) {
                    return null;
                }
            }
        };
        service.init();
        return service;
    }

    /** A {@code META-INF/resources} file of an embedded jar, as a servlet container would serve it. */
    URL bundleResource(String path) {
        if (path == null || path.contains("..")) {
            return null;
        }
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() || p.endsWith("/") ? null : loader.getResource("META-INF/resources/" + p);
    }
}
