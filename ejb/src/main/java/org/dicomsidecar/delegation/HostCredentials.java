package org.dicomsidecar.delegation;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Logger;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/**
 * Chooses, from the settings, how the sidecar authenticates its own calls to the host, and offers it for
 * injection: a client-credentials token when {@code sidecar.host.token-url} is set, else Basic credentials when
 * {@code sidecar.host.username} is set, else nothing.
 */
@ApplicationScoped
public class HostCredentials {

    private static final Logger LOG = Logger.getLogger(HostCredentials.class.getName());

    @Inject
    SidecarSettings settings;

    private HostAuthorization authorization;

    @PostConstruct
    void choose() {
        authorization = from(settings, Clock.systemUTC());
        HostAuthStatus s = authorization.status();
        LOG.info(() -> "Authenticating to the host: " + s.method()
                + (s.clientId() == null ? "" : " as client " + s.clientId() + " of " + s.tokenUrl()));
    }

    @Produces
    public HostAuthorization authorization() {
        return authorization;
    }

    static HostAuthorization from(SidecarSettings settings, Clock clock) {
        if (settings.optional(Setting.HOST_TOKEN_URL).isPresent()) {
            String url = settings.get(Setting.HOST_TOKEN_URL);
            int connect = settings.getInt(Setting.HOST_CONNECT_TIMEOUT_MS);
            int read = settings.getInt(Setting.HOST_READ_TIMEOUT_MS);
            TokenEndpointClient endpoint = new TokenEndpointClient(url, settings.get(Setting.HOST_CLIENT_ID),
                    settings.get(Setting.HOST_CLIENT_SECRET), connect, read);
            // a caller waits at most for one fetch under way: its connect and read time-outs, and a second
            return new ClientCredentialsTokens(endpoint, clock, settings.get(Setting.HOST_CLIENT_ID),
                    SidecarSettings.withoutUserInfo(url), Duration.ofMillis((long) connect + read + 1000));
        }
        return settings.hostBasicAuthorization()
                .map(basic -> HostAuthorization.basic(settings.get(Setting.HOST_USERNAME), basic))
                .orElseGet(HostAuthorization::none);
    }

    @PreDestroy
    void close() {
        if (authorization instanceof ClientCredentialsTokens tokens) {
            tokens.close();
        }
    }
}
