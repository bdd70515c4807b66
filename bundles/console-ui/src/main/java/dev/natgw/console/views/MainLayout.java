package dev.natgw.console.views;

import com.vaadin.flow.component.applayout.AppLayout;
import com.vaadin.flow.component.applayout.DrawerToggle;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.sidenav.SideNav;
import com.vaadin.flow.component.sidenav.SideNavItem;
import com.vaadin.flow.server.VaadinSession;
import dev.natgw.console.internal.ConsoleServlet;
import dev.natgw.console.internal.JaasAuthenticator;

/** The frame around every view: navigation, the user, log out. */
public final class MainLayout extends AppLayout {
    private static final long serialVersionUID = 1L;

    /** Builds the frame. */
    public MainLayout() {
        SideNav nav = new SideNav();
        nav.addItem(new SideNavItem("Overview", OverviewView.class));
        nav.addItem(new SideNavItem("Sessions", SessionsView.class));
        nav.addItem(new SideNavItem("Dataplane", DataplaneView.class));
        nav.addItem(new SideNavItem("Forwarder", ForwarderView.class));
        nav.addItem(new SideNavItem("Registry", RegistryView.class));
        nav.addItem(new SideNavItem("Bundles", BundlesView.class));
        addToDrawer(nav);
        JaasAuthenticator.User user = ConsoleServlet.user();
        Span who = new Span(user == null ? "" : user.name());
        who.setId("user");
        Button logout = new Button("Log out", e -> {
            VaadinSession.getCurrent().getSession().invalidate();
            getUI().ifPresent(ui -> ui.getPage().setLocation("/login"));
        });
        logout.setId("logout");
        HorizontalLayout bar = new HorizontalLayout(new DrawerToggle(), new Span("natgw"), who, logout);
        bar.setAlignItems(HorizontalLayout.Alignment.CENTER);
        bar.setWidthFull();
        bar.expand(who);
        addToNavbar(bar);
    }
}
