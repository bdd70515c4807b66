package dev.natgw.registry.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collections;
import java.util.Dictionary;
import java.util.function.Function;
import javax.servlet.Servlet;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.osgi.service.http.HttpContext;
import org.osgi.service.http.HttpService;

/**
 * An {@link HttpService} on the Jetty that Pax Web runs in the appliance (9.4), listening on 127.0.0.1 (or a given
 * address): a servlet
 * registered at an alias serves {@code alias/*}, with its init parameters, and with asynchronous support when its
 * {@code async-supported} init parameter is {@code true}, as Pax Web 8 reads it. One servlet, registered once; enough
 * for {@link RegistryHttpManager}.
 */
final class JettyHttpService implements HttpService, AutoCloseable {
    private final Server server;
    private final ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);

    JettyHttpService() {
        this("127.0.0.1");
    }

    /** On this address instead of loopback (inside a network namespace of the test's own). */
    JettyHttpService(String host) {
        server = new Server(new InetSocketAddress(host, 0));
        context.setContextPath("/");
        server.setHandler(context);
    }

    /** Starts serving what was registered. */
    void start() throws Exception {
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port() + RegistryServlet.BASE);
    }

    int port() {
        return port(0);
    }

    /** {@return the local port of the server's n-th connector} */
    int port(int n) {
        return ((ServerConnector) server.getConnectors()[n]).getLocalPort();
    }

    /** Adds the connector that make makes for this server (before {@link #start()}). */
    void addConnector(Function<Server, Connector> make) {
        server.addConnector(make.apply(server));
    }

    @Override
    public void registerServlet(String alias, Servlet servlet, Dictionary<?, ?> initparams, HttpContext ctx) {
        ServletHolder holder = new ServletHolder(servlet);
        if (initparams != null) {
            for (Object k : Collections.list(initparams.keys())) {
                holder.setInitParameter(k.toString(), initparams.get(k).toString());
            }
        }
        holder.setAsyncSupported("true".equalsIgnoreCase(holder.getInitParameter(RegistryServlet.ASYNC_SUPPORTED)));
        holder.setName(String.valueOf(holder.getInitParameter("servlet-name")));
        context.addServlet(holder, alias + "/*");
    }

    @Override
    public void registerResources(String alias, String name, HttpContext ctx) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void unregister(String alias) {
        throw new UnsupportedOperationException();
    }

    @Override
    public HttpContext createDefaultHttpContext() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() throws IOException {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IOException("Jetty did not stop", e);
        }
    }
}
