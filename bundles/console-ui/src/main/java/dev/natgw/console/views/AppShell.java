package dev.natgw.console.views;

import com.vaadin.flow.component.dependency.StyleSheet;
import com.vaadin.flow.component.page.AppShellConfigurator;
import com.vaadin.flow.component.page.Push;
import com.vaadin.flow.server.PWA;
import com.vaadin.flow.theme.lumo.Lumo;

/** The console's page shell: server push over WebSocket, Lumo styles. */
@Push
@StyleSheet(Lumo.STYLESHEET)
@StyleSheet("console.css")
@PWA(name = "natgw console", shortName = "natgw", offline = false)
public class AppShell implements AppShellConfigurator {
    private static final long serialVersionUID = 1L;
}
