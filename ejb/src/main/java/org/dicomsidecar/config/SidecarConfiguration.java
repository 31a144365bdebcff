package org.dicomsidecar.config;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/** Reads the settings once from MicroProfile Config and offers them for injection. */
@ApplicationScoped
public class SidecarConfiguration {

    private SidecarSettings settings;

    @PostConstruct
    void load() {
        Config config = ConfigProvider.getConfig(SidecarConfiguration.class.getClassLoader());
        settings = SidecarSettings.from(key -> config.getOptionalValue(key, String.class));
    }

    @Produces
    public SidecarSettings settings() {
        return settings;
    }
}
