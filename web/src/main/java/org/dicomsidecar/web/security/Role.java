package org.dicomsidecar.web.security;

import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/**
 * What a caller may do, each granted by a realm role whose name is a setting, so that a site maps them onto its
 * own realm. The roles are independent: a realm gives an administrator reading too by a composite role.
 */
public enum Role {
    READER(Setting.AUTH_READER_ROLE),
    WRITER(Setting.AUTH_WRITER_ROLE),
    ADMIN(Setting.AUTH_ADMIN_ROLE),
    NOTIFIER(Setting.AUTH_NOTIFIER_ROLE);

    private final Setting setting;

    Role(Setting setting) {
        this.setting = setting;
    }

    /** The realm role that grants this, as configured. */
    public String realmRole(SidecarSettings settings) {
        return settings.get(setting);
    }
}
