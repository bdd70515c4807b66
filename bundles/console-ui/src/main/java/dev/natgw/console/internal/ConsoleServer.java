package dev.natgw.console.internal;

import com.vaadin.flow.server.InitParameters;
import com.vaadin.flow.server.startup.LookupServletContainerInitializer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.annotation.HandlesTypes;
import java.lang.annotation.Annotation;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.FilterMapping;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.HouseKeeper;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The console's own Jetty 12.1 (Servlet 6.1) with Vaadin 25 and /metrics in it. Karaf's Pax Web is Jetty 9.4 with
 * javax.servlet, which Vaadin 25 cannot use, so the console brings its own server, bound to loopback by default.
 *
 * <p>
 * OSGi has no class path scanning, so Vaadin's ServletContainerInitializers are run here with the classes they
 * handle computed from the console's own classes, under the bundle's class loader.
 */
@SuppressWarnings("try") // close() joins Jetty's threads, so it may be interrupted
public final class ConsoleServer implements AutoCloseable {
    /** Jetty's request threads: enough for 10+ browsers with push, bounded. */
    static final int MAX_THREADS = 32;
    /** Heap bytes the I/O buffer pool may keep for reuse. */
    static final long POOL_HEAP_BYTES = 4L << 20;
    /** Direct bytes the I/O buffer pool may keep for reuse. */
    static final long POOL_DIRECT_BYTES = 16L << 20;
    /** Open connections at once; past it Jetty stops accepting until some close, so no peer runs us out of fds. */
    public static final int MAX_CONNECTIONS = 256;
    /**
     * Milliseconds an idle connection may stay once the limit is reached (instead of the usual 330 s), so peers
     * that open connections and send nothing cannot keep an honest client out for long.
     */
    public static final long LIMITED_IDLE_TIMEOUT_MS = 5_000;
    /** Seconds between Jetty's sweeps for expired sessions. */
    static final int SESSION_SWEEP_SECONDS = 10;
    /** Connections the kernel completes and holds for Jetty while it does not accept (at the limit). */
    static final int ACCEPT_QUEUE = 64;

    private final Server server;
    private final LimitedConnector connector;
    private final IdleCuttingLimit limit;

    /**
     * Builds and starts the server.
     *
     * @param settings the checked configuration
     * @param servlet the Vaadin servlet
     * @param metrics the /metrics servlet
     * @param guard the session bounds, in front of the Vaadin servlet
     * @param loader the bundle's class loader
     * @param consoleClasses the console's routes, layouts and app shell
     * @throws Exception if Jetty cannot start (port taken and the like)
     */
    public ConsoleServer(ConsoleSettings settings, ConsoleServlet servlet, Servlet metrics, SessionGuard guard,
            ClassLoader loader, List<Class<?>> consoleClasses) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("natgw-console");
        threads.setDaemon(true);
        // I/O buffers go back to a pool for reuse; its bound keeps a load peak (many pushes to slow browsers) from
        // leaving the heap holding them: without it Jetty keeps up to an eighth of the heap
        server = new Server(threads, null, new ArrayByteBufferPool(0, -1, -1, -1, POOL_HEAP_BYTES,
                POOL_DIRECT_BYTES));
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        if (settings.tls()) {
            http.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(settings.keystorePath().toString());
            tls.setKeyStorePassword(settings.keystorePassword());
            tls.setKeyStoreType(settings.keystoreType());
            connector = new LimitedConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                    new HttpConnectionFactory(http));
        } else {
            connector = new LimitedConnector(server, new HttpConnectionFactory(http));
        }
        connector.setHost(settings.bindAddress().getHostAddress());
        connector.setPort(settings.port());
        // a push connection may be quiet for a while (a view with nothing new); Vaadin's heartbeat is every 5 min
        connector.setIdleTimeout(330_000);
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        server.addConnector(connector);
        // Jetty looks for expired sessions every 10 min by default: sessions abandoned by visitors who never log in
        // would hold their places that long past session.login.timeout
        DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
        HouseKeeper sweeper = new HouseKeeper();
        sweeper.setIntervalSec(SESSION_SWEEP_SECONDS);
        ids.setSessionHouseKeeper(sweeper);
        server.addBean(ids, true);
        limit = new IdleCuttingLimit(connector);
        connector.limit = limit;
        server.addBean(limit);

        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.setClassLoader(loader);
        context.getSessionHandler().setMaxInactiveInterval(settings.sessionTimeoutMinutes() * 60);
        context.getSessionHandler().setHttpOnly(true);
        context.getSessionHandler().getSessionCookieConfig().setSecure(settings.tls());
        context.getSessionHandler().addEventListener(guard);

        for (ServletContainerInitializer sci : ServiceLoader.load(ServletContainerInitializer.class, loader)) {
            if (sci.getClass().getName().startsWith("com.vaadin.")) {
                context.addServletContainerInitializer(sci, handledTypes(sci, consoleClasses)
                        .toArray(Class<?>[]::new));
            }
        }
        // Atmosphere (Vaadin's push) finds the Jakarta WebSocket container in the servlet context
        JakartaWebSocketServletContainerInitializer.configure(context, null);

        ServletHolder vaadin = new ServletHolder("vaadin", servlet);
        vaadin.setInitParameter(InitParameters.SERVLET_PARAMETER_PRODUCTION_MODE, "true");
        // Atmosphere's shared pools otherwise grow to ~200 threads with 10 sessions
        vaadin.setInitParameter("org.atmosphere.cpr.broadcaster.shareableThreadPool", "true");
        vaadin.setInitParameter("org.atmosphere.cpr.broadcaster.maxProcessingThreads", "4");
        vaadin.setInitParameter("org.atmosphere.cpr.broadcaster.maxAsyncWriteThreads", "4");
        vaadin.setInitParameter("org.atmosphere.cpr.maxSchedulerThread", "2");
        // the page's heartbeats would otherwise keep an open tab logged in for ever: only clicks and navigation count
        vaadin.setInitParameter(InitParameters.SERVLET_PARAMETER_CLOSE_IDLE_SESSIONS, "true");
        vaadin.setAsyncSupported(true);
        vaadin.setInitOrder(1);
        context.addServlet(vaadin, "/*");
        context.addServlet(new ServletHolder("metrics", metrics), "/metrics");
        // sessions are Vaadin's: /metrics opens none and stays outside the session bounds
        FilterMapping guarded = new FilterMapping();
        guarded.setFilterName("sessions");
        guarded.setServletName("vaadin");
        guarded.setDispatcherTypes(java.util.EnumSet.of(DispatcherType.REQUEST));
        FilterHolder sessions = new FilterHolder(guard);
        sessions.setName("sessions");
        context.getServletHandler().addFilter(sessions, guarded);
        server.setHandler(new FrameDenial(context));
        server.setStopTimeout(5_000);

        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * The classes among the console's own (and Vaadin's LookupInitializer, without which Vaadin's lookup stays
     * empty) that an initializer's {@code @HandlesTypes} asks for.
     */
    @SuppressWarnings("unchecked")
    static Set<Class<?>> handledTypes(ServletContainerInitializer sci, List<Class<?>> candidates) {
        Set<Class<?>> out = new LinkedHashSet<>();
        HandlesTypes handles = sci.getClass().getAnnotation(HandlesTypes.class);
        if (handles != null) {
            for (Class<?> c : candidates) {
                for (Class<?> t : handles.value()) {
                    boolean match = t.isAnnotation()
                            ? c.isAnnotationPresent((Class<? extends Annotation>) t)
                            : t.isAssignableFrom(c) && !t.equals(c);
                    if (match) {
                        out.add(c);
                    }
                }
            }
        }
        if (sci instanceof LookupServletContainerInitializer) {
            out.add(com.vaadin.flow.di.LookupInitializer.class);
        }
        return out;
    }

    /** {@return the port Jetty listens on (the configured one, or the one picked for port 0)} */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@return the connections Jetty has accepted and not yet closed, at most {@value #MAX_CONNECTIONS}} */
    public int connections() {
        return limit.getNetworkConnectionCount();
    }

    /**
     * {@return the open connections whose idle timeout is the limited one ({@value #LIMITED_IDLE_TIMEOUT_MS} ms):
     * all of them while the connection limit holds, none otherwise}
     */
    public int connectionsOnLimitedTimeout() {
        int n = 0;
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            if (endPoint.getIdleTimeout() == LIMITED_IDLE_TIMEOUT_MS) {
                n++;
            }
        }
        return n;
    }

    /** {@return Jetty's thread pool's current size} */
    public int threads() {
        return ((QueuedThreadPool) server.getThreadPool()).getThreads();
    }

    /**
     * Jetty's connection limit, which remembers whether it holds. When the limit is reached, Jetty cuts the idle
     * timeout of the connections it has opened, but connections accepted in the same burst and opened just after
     * would keep the usual 330 s: under load that was most of them, and an honest client waited minutes.
     * {@link LimitedConnector} cuts theirs too.
     */
    static final class IdleCuttingLimit extends NetworkConnectionLimit {
        private volatile boolean limiting;

        IdleCuttingLimit(ServerConnector connector) {
            super(MAX_CONNECTIONS, connector);
            setEndPointIdleTimeout(LIMITED_IDLE_TIMEOUT_MS);
        }

        @Override
        protected void limit() {
            limiting = true; // before Jetty walks the open connections, so none opened meanwhile is missed
            super.limit();
        }

        @Override
        protected void unlimit() {
            limiting = false;
            super.unlimit();
        }
    }

    /**
     * Forbids every browser to show a console response inside a frame of another page (clickjacking): the CSP
     * directive for current browsers, X-Frame-Options for older ones. Set before the request is handled, on every
     * response, /metrics and errors included.
     */
    static final class FrameDenial extends Handler.Wrapper {
        FrameDenial(Handler handler) {
            super(handler);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            response.getHeaders().put("Content-Security-Policy", "frame-ancestors 'none'");
            response.getHeaders().put("X-Frame-Options", "DENY");
            return super.handle(request, response, callback);
        }
    }

    /** A connector whose connections opened while the limit holds get the limited idle timeout. */
    static final class LimitedConnector extends ServerConnector {
        private volatile IdleCuttingLimit limit;

        LimitedConnector(Server server, ConnectionFactory... factories) {
            super(server, 1, 1, factories);
        }

        @Override
        protected void onEndPointOpened(EndPoint endPoint) {
            super.onEndPointOpened(endPoint);
            IdleCuttingLimit l = limit;
            if (l != null && l.limiting) {
                endPoint.setIdleTimeout(LIMITED_IDLE_TIMEOUT_MS);
                // the limit cleared in between: its walk may have run before the line above, so undo it here
                if (!l.limiting) {
                    endPoint.setIdleTimeout(getIdleTimeout());
                }
            }
        }
    }

    /** Stops Jetty, its sessions and its threads. */
    @Override
    public void close() throws Exception { // NOPMD
        server.stop();
        server.join();
        server.destroy();
    }
}
