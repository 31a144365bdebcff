package org.dicomsidecar.qido;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.Test;

class QidoAnswerTest {

    @Test
    void writesRowsAsOneDicomJsonArray() {
        SortedMap<String, String> a = new TreeMap<>();
        a.put("0020000D", "{\"vr\":\"UI\",\"Value\":[\"1.2.3\"]}");
        a.put("00080061", "{\"vr\":\"CS\",\"Value\":[\"CT\",\"SEG\"]}");
        SortedMap<String, String> odd = new TreeMap<>();
        odd.put("key\"with\\quote", "{\"vr\":\"LO\"}");
        QidoAnswer answer = new QidoAnswer(List.of(a, new TreeMap<>(), odd));
        String text = answer.toString();
        assertEquals("[{\"00080061\":{\"vr\":\"CS\",\"Value\":[\"CT\",\"SEG\"]},\"0020000D\":{\"vr\":\"UI\",\"Value\":"
                + "[\"1.2.3\"]}},{},{\"key\\\"with\\\\quote\":{\"vr\":\"LO\"}}]", text);
        assertEquals(Jsonp.createReader(new StringReader(text)).readArray(), answer.toJsonArray());
        assertEquals(3, answer.size());
        assertEquals("[]", new QidoAnswer(List.of()).toString());
    }
}
