package org.dicomsidecar.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonMembersTest {

    @Test
    void membersKeepEachValuesTextInOrder() {
        Map<String, String> m = JsonMembers.members(
                "{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"a,b}\"]},\"00280030\":{\"vr\":\"DS\",\"Value\":[0.50,1e400]},"
                        + "\"x\":null,\"y\":-1.5E+3,\"z\":[[],{}],\"q\":\"say \\\"hi\\\" \\\\\"}");
        assertEquals(List.of("00100020", "00280030", "x", "y", "z", "q"), List.copyOf(m.keySet()));
        assertEquals("{\"vr\":\"LO\",\"Value\":[\"a,b}\"]}", m.get("00100020"));
        assertEquals("{\"vr\":\"DS\",\"Value\":[0.50,1e400]}", m.get("00280030"));
        assertEquals("null", m.get("x"));
        assertEquals("-1.5E+3", m.get("y"));
        assertEquals("[[],{}]", m.get("z"));
        assertEquals("\"say \\\"hi\\\" \\\\\"", m.get("q"));
    }

    @Test
    void onlyTheWantedMembersAreKept() {
        assertEquals(Map.of("b", "{\"c\":[1]}"), JsonMembers.members("{\"a\":[\"}\"],\"b\":{\"c\":[1]},\"d\":2}",
                java.util.Set.of("b", "x")));
    }

    @Test
    void whitespaceAndEscapedKeys() {
        Map<String, String> m = JsonMembers.members(" {\n \"a\\u0062\" : [ 1 , 2 ] ,\t\"c\" : true } ");
        assertEquals(Map.of("ab", "[ 1 , 2 ]", "c", "true"), m);
        assertEquals(Map.of(), JsonMembers.members("{ }"));
    }

    /** What JSON-P writes, split and joined again, is the same JSON. */
    @Test
    void splicedBackIsTheSameObject() {
        JsonObject o = Jsonp.createReader(new StringReader("""
                {"00081030": {"vr": "LO", "Value": ["Thorax ünd Abdomen \\u0001 / \\\\ \\""]},
                 "00400275": {"vr": "SQ", "Value": [{"00321060": {"vr": "LO", "Value": ["x]"]}}]},
                 "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^J"}]}, "00201208": {"vr": "IS"}}"""))
                .readObject();
        Map<String, String> m = JsonMembers.members(o.toString());
        assertEquals(o, JsonMembers.toObject(m));
        assertEquals(JsonMembers.of(o), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":\"x}", "{\"a\":[1}", "{} x",
        "{\"a\":1 \"b\":2}"})
    void textThatDoesNotFrameAsAnObjectIsRejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> JsonMembers.members(text));
    }

    @Test
    void hasMemberLooksAtTheTopLevelOnly() {
        assertTrue(JsonMembers.hasMember("{\"vr\":\"UI\",\"Value\":[\"1.2\"]}", "Value"));
        assertFalse(JsonMembers.hasMember("{\"vr\":\"UI\"}", "Value"));
        assertFalse(JsonMembers.hasMember("{\"vr\":\"Value\"}", "Value"));
        assertFalse(JsonMembers.hasMember("{\"vr\":\"SQ\",\"x\":{\"Value\":1}}", "Value"));
    }

    @Test
    void quoteEscapesWhatJsonMust() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", JsonMembers.quote("a\"b\\c\n\u0001"));
        assertEquals("x\"", Jsonp.createReader(new StringReader("[" + JsonMembers.quote("x\"") + "]")).readArray()
                .getString(0));
    }
}
