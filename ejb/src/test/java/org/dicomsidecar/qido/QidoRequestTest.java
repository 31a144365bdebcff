package org.dicomsidecar.qido;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.dicomsidecar.query.QueryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QidoRequestTest {

    @Test
    void parametersAreDecodedOnceAndKeepEveryValue() {
        Map<String, List<String>> p = QidoRequest.parameters("PatientName=A%20B&Modality=CT&Modality=MR&x=&PixelSpacing=1%5C2");
        assertEquals(List.of("A B"), p.get("PatientName"));
        assertEquals(List.of("CT", "MR"), p.get("Modality"));
        assertEquals(List.of(""), p.get("x"));
        assertEquals(List.of("1\\2"), p.get("PixelSpacing"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PatientName=%ZZ", "PatientName=Doe%5EJohn%", "Patient%G0Name=x", "a=%2"})
    void aMalformedEscapeIsAQueryErrorThatQuotesNothing(String raw) {
        QueryException e = assertThrows(QueryException.class, () -> QidoRequest.parameters(raw));
        assertEquals("query", e.where());
        assertFalse(e.getMessage().contains("Doe"), e.getMessage());
    }
}
