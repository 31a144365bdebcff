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

/**
 * Our own plain webhook: {@code {"studyInstanceUID": "...", "seriesInstanceUID": "...", "sopInstanceUID": "..."}}
 * (the latter two optional), an array of such objects, or {@code {"events": [ ... ]}}.
 *
 * <p>Values are JSON strings; an optional one that is null or "" counts as absent. Other fields are ignored; an
 * object with an "events" member is the envelope form. How many events one body may carry is the receiver's
 * limit ({@code sidecar.events.max-per-request}). An empty array is no events. Paths in messages count from 0.
 */
public final class WebhookEventParser {

    static final String SOURCE = "webhook";

    private WebhookEventParser() {
    }

    public static List<StoredEvent> parse(JsonValue body) {
        if (body == null || body.getValueType() == JsonValue.ValueType.NULL) {
            throw malformed("body", "missing (expected an event object, an array of them, or {\"events\": [...]})");
        }
        if (body.getValueType() == JsonValue.ValueType.ARRAY) {
            return list(body.asJsonArray(), "");
        }
        if (body.getValueType() != JsonValue.ValueType.OBJECT) {
            throw malformed("body", kind(body) + " (expected an event object, an array of them, or {\"events\": [...]})");
        }
        JsonObject object = body.asJsonObject();
        if (object.containsKey("events")) {
            JsonValue events = object.get("events");
            if (events.getValueType() != JsonValue.ValueType.ARRAY) {
                throw malformed("events", kind(events) + ", expected an array");
            }
            return list(events.asJsonArray(), "events");
        }
        return List.of(event(object, ""));
    }

    private static List<StoredEvent> list(JsonArray array, String path) {
        List<StoredEvent> events = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String elementPath = path + "[" + i + "]";
            JsonValue element = array.get(i);
            if (element.getValueType() != JsonValue.ValueType.OBJECT) {
                throw malformed(elementPath, kind(element) + ", expected an event object");
            }
            events.add(event(element.asJsonObject(), elementPath));
        }
        return EventBodies.distinct(events);
    }

    private static StoredEvent event(JsonObject object, String path) {
        String studyPath = EventBodies.join(path, "studyInstanceUID");
        String seriesPath = EventBodies.join(path, "seriesInstanceUID");
        String sopPath = EventBodies.join(path, "sopInstanceUID");
        String study = uid(jsonString(object, "studyInstanceUID", studyPath).orElse(null), studyPath);
        String series = jsonString(object, "seriesInstanceUID", seriesPath).filter(s -> !s.isEmpty()).orElse(null);
        String sop = jsonString(object, "sopInstanceUID", sopPath).filter(s -> !s.isEmpty()).orElse(null);
        if (series != null) {
            uid(series, seriesPath);
        }
        if (sop != null) {
            if (series == null) {
                throw malformed(sopPath, "given without " + seriesPath);
            }
            uid(sop, sopPath);
        }
        return new StoredEvent(study, series, sop, SOURCE);
    }
}
