package org.dicomsidecar.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Supplier;

/** This node's name among the nodes sharing one database: the setting, else WildFly's node name, else the host name. */
public final class NodeName {

    private NodeName() {
    }

    /**
     * The name in use.
     *
     * @param configured {@code sidecar.node.name} (empty: not set)
     * @param jbossNodeName the system property {@code jboss.node.name}, null when not set
     * @param hostName the host's name, asked only when neither is set
     */
    public static String resolve(String configured, String jbossNodeName, Supplier<String> hostName) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        } else if (jbossNodeName != null && !jbossNodeName.isBlank()) {
            return jbossNodeName.strip();
        }
        return hostName.get();
    }

    /** The local host's name, or {@code localhost} when it cannot be had. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
