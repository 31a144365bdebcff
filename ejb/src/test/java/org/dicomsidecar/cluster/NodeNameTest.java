package org.dicomsidecar.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class NodeNameTest {

    @Test
    void theSettingWinsThenWildFlysNodeNameThenTheHostName() {
        assertEquals("sidecar-1", NodeName.resolve(" sidecar-1 ", "wildfly-a", () -> "host"));
        assertEquals("wildfly-a", NodeName.resolve("", "wildfly-a", () -> "host"));
        assertEquals("host", NodeName.resolve("", null, () -> "host"));
        assertEquals("host", NodeName.resolve("  ", " ", () -> "host"));
    }

    @Test
    void theHostNameIsNeverEmpty() {
        assertFalse(NodeName.hostName().isBlank());
    }
}
