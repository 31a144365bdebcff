package org.dicomsidecar.bench;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dicomsidecar.json.Jsonp;

/**
 * A DICOM JSON dataset (PS3.18 F.2) built attribute by attribute, in tag order as an archive writes it. Numbers
 * of DS, IS, US, SS and FD are JSON numbers; an attribute given no value is written as its VR alone (an empty
 * type 2 attribute).
 */
final class Attributes {

    private final Map<String, JsonValue> elements = new TreeMap<>();

    Attributes() {
    }

    /** A copy to add to (the elements themselves are immutable and shared). */
    Attributes copy() {
        Attributes a = new Attributes();
        a.elements.putAll(elements);
        return a;
    }

    Attributes put(String tag, JsonValue element) {
        elements.put(tag, element);
        return this;
    }

    Attributes text(String tag, String vr, String... values) {
        return put(tag, element(vr, values));
    }

    Attributes number(String tag, String vr, Number... values) {
        JsonArrayBuilder a = Jsonp.createArrayBuilder();
        for (Number n : values) {
            if (n instanceof Integer i) {
                a.add(i);
            } else if (n instanceof Long l) {
                a.add(l);
            } else {
                a.add(new BigDecimal(n.toString()));
            }
        }
        return put(tag, withValue(vr, a));
    }

    Attributes name(String tag, String alphabetic) {
        return put(tag, withValue("PN", Jsonp.createArrayBuilder()
                .add(Jsonp.createObjectBuilder().add("Alphabetic", alphabetic))));
    }

    Attributes empty(String tag, String vr) {
        return put(tag, Jsonp.createObjectBuilder().add("vr", vr).build());
    }

    Attributes sequence(String tag, List<JsonObject> items) {
        JsonArrayBuilder a = Jsonp.createArrayBuilder();
        items.forEach(a::add);
        return put(tag, withValue("SQ", a));
    }

    Attributes sequence(String tag, Attributes... items) {
        return sequence(tag, java.util.Arrays.stream(items).map(Attributes::build).toList());
    }

    Attributes bulkData(String tag, String vr, String uri) {
        return put(tag, Jsonp.createObjectBuilder().add("vr", vr).add("BulkDataURI", uri).build());
    }

    JsonObject build() {
        JsonObjectBuilder b = Jsonp.createObjectBuilder();
        elements.forEach(b::add);
        return b.build();
    }

    static JsonObject element(String vr, String... values) {
        JsonArrayBuilder a = Jsonp.createArrayBuilder();
        for (String v : values) {
            a.add(v);
        }
        return withValue(vr, a);
    }

    /** A code sequence item: CodeValue, CodingSchemeDesignator, CodeMeaning. */
    static Attributes code(String value, String scheme, String meaning) {
        return new Attributes().text("00080100", "SH", value).text("00080102", "SH", scheme)
                .text("00080104", "LO", meaning);
    }

    /** An item of a reference sequence: ReferencedSOPClassUID, ReferencedSOPInstanceUID. */
    static JsonObject sopReference(String sopClass, String sop) {
        return new Attributes().text("00081150", "UI", sopClass).text("00081155", "UI", sop).build();
    }

    private static JsonObject withValue(String vr, JsonArrayBuilder values) {
        return Jsonp.createObjectBuilder().add("vr", vr).add("Value", values).build();
    }
}
