package org.dicomsidecar.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class LoggedFailureTest {

    private static final Exception LEAKY = new IllegalStateException("query PatientName=Doe^Jane failed",
            new IOException("GET /studies?PatientID=4711"));

    @Test
    void classesNameTheChainWithoutAMessage() {
        assertEquals("(java.lang.IllegalStateException < java.io.IOException)", LoggedFailure.classes(LEAKY));
        assertEquals("()", LoggedFailure.classes(null));
    }

    @Test
    void describeKeepsFramesAndDropsMessages() {
        String described = LoggedFailure.describe(LEAKY);
        assertFalse(described.contains("Doe") || described.contains("4711"), described);
        assertEquals(true, described.contains("caused by java.io.IOException"));
    }
}
