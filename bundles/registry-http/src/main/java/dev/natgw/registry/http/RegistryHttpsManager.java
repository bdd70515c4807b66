package dev.natgw.registry.http;

import dev.natgw.api.registry.RegistryFace;
import dev.natgw.api.registry.RegistryFaceInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns HTTPS on for the registry's face when the appliance's HTTP server listens beyond loopback (issue 15, part 4):
 * at its start and at every change of Pax Web's configuration ({@value PaxWebHttps#PID}) it applies
 * {@link PaxWebHttps#additions}, generating the key store {@code ${karaf.data}/natgw/registry-https.p12} (owner-only,
 * reused after restarts) the first time it is needed, and writes them through ConfigurationAdmin; Pax Web then
 * restarts its server with an HTTPS connector (and Karaf writes them to {@code etc/org.ops4j.pax.web.cfg}), and the
 * face's servlet is registered again on the new HttpService. Publishes how the face is reached and its certificate's
 * fingerprint ({@link RegistryFace}). An operator's own HTTPS settings, or {@code secure.enabled = false}, are left
 * alone. Thread-safe: changes are applied one at a time.
 */
@Component(service = {RegistryFace.class, ConfigurationListener.class}, immediate = true)
public final class RegistryHttpsManager implements RegistryFace, ConfigurationListener {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpsManager.class);

    private final ConfigurationAdmin cm;
    private final Path generated;
    private volatile RegistryFaceInfo info;

    /** Applies the rule to Pax Web's configuration as it is now. */
    @Activate
    public RegistryHttpsManager(@Reference ConfigurationAdmin cm) {
        this(cm, Path.of(System.getProperty("karaf.data", "data"), "natgw", "registry-https.p12"));
    }

    /** With the generated key store kept in this file. */
    RegistryHttpsManager(ConfigurationAdmin cm, Path generated) {
        this.cm = cm;
        this.generated = generated;
        apply();
    }

    @Override
    public RegistryFaceInfo info() {
        return info;
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (PaxWebHttps.PID.equals(event.getPid()) && event.getType() != ConfigurationEvent.CM_LOCATION_CHANGED) {
            apply();
        }
    }

    /** Reads Pax Web's configuration, turns HTTPS on if the rule says so, and notes how the face is reached. */
    synchronized void apply() {
        Dictionary<String, Object> props = null;
        try {
            // "?": whichever bundle reads the PID (Pax Web's runtime) gets it, also if this call makes it
            Configuration c = cm.getConfiguration(PaxWebHttps.PID, "?");
            props = c.getProperties();
            Map<String, Object> add = PaxWebHttps.additions(props, generated);
            if (!add.isEmpty()) {
                Hashtable<String, Object> next = new Hashtable<>();
                if (props != null) {
                    for (String k : Collections.list(props.keys())) {
                        next.put(k, props.get(k));
                    }
                }
                next.putAll(add);
                c.update(next);
                props = next;
                LOG.info("natgw registry HTTP face: the HTTP server listens on {}, beyond loopback; turned on its"
                        + " HTTPS connector on port {} with {}", PaxWebHttps.addresses(props),
                        props.get(
                                PaxWebHttps.SECURE_PORT),
                        props.get(PaxWebHttps.KEYSTORE));
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // the face keeps refusing plain HTTP beyond loopback; natgw:status tells how it is reached
            LOG.warn("natgw registry HTTP face: cannot turn HTTPS on in {} (docs/manual/registry.md): {}",
                    PaxWebHttps.PID, e.toString());
        }
        info = PaxWebHttps.info(props, generated);
        if (info.https()) {
            LOG.info("natgw registry HTTP face: HTTPS on port {}, certificate {}", info.httpsPort(), info
                    .fingerprint());
        }
    }
}
