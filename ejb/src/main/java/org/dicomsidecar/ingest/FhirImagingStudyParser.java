package org.dicomsidecar.ingest;

import static org.dicomsidecar.ingest.EventBodies.jsonString;
import static org.dicomsidecar.ingest.EventBodies.kind;
import static org.dicomsidecar.ingest.EventBodies.malformed;
import static org.dicomsidecar.ingest.EventBodies.uid;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * dcm4chee `fhir:` exporter: FHIR R5 (default) or R4 ImagingStudy JSON.
 *
 * <p>The study UID is the first identifier whose system is "urn:dicom:uid"; its value is "urn:oid:{uid}" (a bare
 * UID is accepted too, as some producers send it). Each series[].instance[].uid gives one event; a series without
 * instances gives a series event; a study without series gives a study event. A Bundle's entries that are not
 * ImagingStudy (a Patient in a transaction, a DELETE without resource) are skipped, but at least one must be. The
 * ImagingStudy status is not looked at. Paths in messages count from 0.
 */
public final class FhirImagingStudyParser {

    static final String SOURCE = "fhir";

    private static final String DICOM_UID_SYSTEM = "urn:dicom:uid";
    private static final String OID_PREFIX = "urn:oid:";
    /** A FHIR resource type, safe to quote in a message. */
    private static final Pattern RESOURCE_TYPE = Pattern.compile("[A-Za-z]{1,64}");

    private FhirImagingStudyParser() {
    }

    public static List<StoredEvent> parse(JsonValue body) {
        if (body == null || body.getValueType() != JsonValue.ValueType.OBJECT) {
            throw malformed("body", kind(body) + " (expected a FHIR ImagingStudy or Bundle, a JSON object)");
        }
        JsonObject resource = body.asJsonObject();
        String type = jsonString(resource, "resourceType", "resourceType")
                .orElseThrow(() -> malformed("resourceType", "missing (expected \"ImagingStudy\" or \"Bundle\")"));
        List<StoredEvent> events = new ArrayList<>();
        switch (type) {
            case "ImagingStudy" -> study(resource, "ImagingStudy", events);
            case "Bundle" -> bundle(resource, events);
            default -> throw malformed("resourceType", quoteType(type) + " (expected \"ImagingStudy\" or \"Bundle\")");
        }
        return EventBodies.distinct(events);
    }

    private static void bundle(JsonObject bundle, List<StoredEvent> events) {
        JsonArray entries = array(bundle, "entry", "Bundle.entry");
        int studies = 0;
        for (int i = 0; entries != null && i < entries.size(); i++) {
            String path = "Bundle.entry[" + i + "]";
            JsonObject entry = object(entries.get(i), path);
            JsonValue resource = entry.get("resource");
            if (resource == null || resource.getValueType() == JsonValue.ValueType.NULL) {
                continue;
            }
            JsonObject r = object(resource, path + ".resource");
            String type = jsonString(r, "resourceType", path + ".resource.resourceType").orElse(null);
            if ("ImagingStudy".equals(type)) {
                study(r, path + ".resource", events);
                studies++;
            }
        }
        if (studies == 0) {
            throw malformed("Bundle.entry", "no ImagingStudy resource");
        }
    }

    private static void study(JsonObject study, String path, List<StoredEvent> events) {
        String studyUid = studyUid(study, path);
        JsonArray series = array(study, "series", path + ".series");
        if (series == null || series.isEmpty()) {
            events.add(new StoredEvent(studyUid, null, null, SOURCE));
            return;
        }
        for (int i = 0; i < series.size(); i++) {
            String seriesPath = path + ".series[" + i + "]";
            JsonObject s = object(series.get(i), seriesPath);
            String seriesUid = uid(jsonString(s, "uid", seriesPath + ".uid").orElse(null), seriesPath + ".uid");
            JsonArray instances = array(s, "instance", seriesPath + ".instance");
            if (instances == null || instances.isEmpty()) {
                events.add(new StoredEvent(studyUid, seriesUid, null, SOURCE));
                continue;
            }
            for (int j = 0; j < instances.size(); j++) {
                String instancePath = seriesPath + ".instance[" + j + "]";
                JsonObject instance = object(instances.get(j), instancePath);
                String sopUid = uid(jsonString(instance, "uid", instancePath + ".uid").orElse(null),
                        instancePath + ".uid");
                events.add(new StoredEvent(studyUid, seriesUid, sopUid, SOURCE));
            }
        }
    }

    private static String studyUid(JsonObject study, String path) {
        JsonArray identifiers = array(study, "identifier", path + ".identifier");
        for (int i = 0; identifiers != null && i < identifiers.size(); i++) {
            String idPath = path + ".identifier[" + i + "]";
            JsonObject identifier = object(identifiers.get(i), idPath);
            if (DICOM_UID_SYSTEM.equals(jsonString(identifier, "system", idPath + ".system").orElse(null))) {
                String value = jsonString(identifier, "value", idPath + ".value").orElse(null);
                if (value != null && value.startsWith(OID_PREFIX)) {
                    value = value.substring(OID_PREFIX.length());
                }
                return uid(value, idPath + ".value");
            }
        }
        throw malformed(path + ".identifier", "no Study Instance UID (an identifier with system \""
                + DICOM_UID_SYSTEM + "\" and value \"" + OID_PREFIX + "{uid}\")");
    }

    /** The array member, null when absent or null, 400 when of another type. */
    private static JsonArray array(JsonObject object, String name, String path) {
        JsonValue value = object.get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw malformed(path, kind(value) + ", expected an array");
        }
        return value.asJsonArray();
    }

    private static JsonObject object(JsonValue value, String path) {
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw malformed(path, kind(value) + ", expected an object");
        }
        return value.asJsonObject();
    }

    private static String quoteType(String type) {
        return RESOURCE_TYPE.matcher(type).matches() ? "\"" + type + "\"" : "an unknown resource type";
    }
}
