package dev.natgw.console.views;

import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.login.LoginForm;
import com.vaadin.flow.component.login.LoginI18n;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import dev.natgw.console.internal.ConsoleServlet;

/** Log in with a user of Karaf's JAAS realm, the same as the shell's. */
@Route("login")
@PageTitle("natgw - log in")
public class LoginView extends VerticalLayout {
    private static final long serialVersionUID = 1L;

    /** Builds the form. */
    public LoginView() {
        setSizeFull();
        setAlignItems(Alignment.CENTER);
        setJustifyContentMode(JustifyContentMode.CENTER);
        LoginForm form = new LoginForm();
        form.setId("login");
        form.setForgotPasswordButtonVisible(false);
        LoginI18n i18n = LoginI18n.createDefault();
        i18n.getForm().setTitle("natgw console");
        i18n.getErrorMessage().setTitle("Not logged in");
        i18n.getErrorMessage().setMessage("The user name or password is wrong, or the user has none of the console's"
                + " roles. natgw's users are the shell's (jaas:user-add).");
        form.setI18n(i18n);
        form.addLoginListener(e -> {
            if (ConsoleServlet.current().login(e.getUsername(), e.getPassword())) {
                getUI().ifPresent(ui -> ui.navigate(OverviewView.class));
            } else {
                form.setError(true);
            }
        });
        add(new H1("natgw"), form);
    }
}
