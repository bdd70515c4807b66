package dev.natgw.console.views;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import dev.natgw.console.internal.ConsoleServlet;
import dev.natgw.console.internal.ServiceBridge;
import dev.natgw.console.internal.Ticker;
import dev.natgw.console.model.Reading;

/**
 * A view that reads its service again about once a second while it is shown, and pushes the change to the browser.
 * While its service is absent it shows why, in an element of class {@code natgw-absent}, and fills in again by
 * itself when the service returns.
 */
abstract class LiveView extends VerticalLayout {
    private static final long serialVersionUID = 1L;

    protected final transient ServiceBridge services;
    private final transient Ticker ticker;
    private final Div absent = new Div();
    private transient AutoCloseable subscription;

    LiveView(String title) {
        ConsoleServlet servlet = ConsoleServlet.current();
        services = servlet.services();
        ticker = servlet.ticker();
        absent.addClassName("natgw-absent");
        absent.setId("absent");
        absent.setVisible(false);
        add(new H2(title), absent);
    }

    /** Reads the service and updates the components; runs under the session lock. */
    protected abstract void refresh();

    /**
     * Shows either the content or why it is missing.
     *
     * @param reading what was read
     * @param content the view's content
     * @return whether there is a value to show
     */
    protected boolean show(Reading<?> reading, Component content) {
        setText(absent, reading.present() ? "" : reading.message());
        absent.setVisible(!reading.present());
        content.setVisible(reading.present());
        return reading.present();
    }

    /**
     * Sets a component's text as its {@code innerText} property, only if it changed: a figure refreshed each second
     * then costs one pending value, not a new text node (see {@link Tables}).
     *
     * @param c the component
     * @param text the text
     */
    protected static void setText(Component c, String text) {
        Tables.text(c.getElement(), text);
    }

    @Override
    // ui.access queues the refresh in the UI's session; it has nothing to report back to the ticker
    @SuppressWarnings("FutureReturnValueIgnored")
    protected void onAttach(AttachEvent event) {
        super.onAttach(event);
        refresh();
        UI ui = event.getUI();
        subscription = ticker.subscribe(() -> ui.access(this::refresh));
    }

    @Override
    protected void onDetach(DetachEvent event) {
        try {
            if (subscription != null) {
                subscription.close();
            }
        } catch (Exception ignored) {
            // removing from a list does not fail
        }
        subscription = null;
        super.onDetach(event);
    }
}
