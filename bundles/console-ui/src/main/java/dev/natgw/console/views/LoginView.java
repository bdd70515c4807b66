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
public final class LoginView extends VerticalLayout {
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
            var outcome = ConsoleServlet.current().login(e.getUsername(), e.getPassword());
            if (outcome.user().isPresent()) {
                getUI().ifPresent(ui -> ui.navigate(OverviewView.class));
                return;
            }
            LoginI18n shown = LoginI18n.createDefault();
            shown.setForm(i18n.getForm());
            LoginI18n.ErrorMessage message = new LoginI18n.ErrorMessage();
            if (outcome.throttled()) {
                message.setTitle("Too many failed logins");
                message.setMessage("Too many failed logins from this address or for this user: try again in "
                        + Math.max(1, outcome.retryAfter().toSeconds()) + " s.");
            } else {
                message.setTitle(i18n.getErrorMessage().getTitle());
                message.setMessage(i18n.getErrorMessage().getMessage());
            }
            shown.setErrorMessage(message);
            form.setI18n(shown);
            form.setError(true);
        });
        add(new H1("natgw"), form);
    }
}
