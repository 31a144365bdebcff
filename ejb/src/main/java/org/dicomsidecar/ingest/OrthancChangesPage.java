package org.dicomsidecar.ingest;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One answer of Orthanc's {@code GET /changes?since=N&limit=L} (or {@code ?last}):
 * {@code {"Changes": [{"ChangeType": "NewInstance", "ID": "...", "ResourceType": "Instance", "Seq": n, ...}],
 * "Done": bool, "Last": n}}. {@code Last} is the sequence number of the last change listed or, when none is
 * listed, the last one Orthanc has at all: below the {@code since} asked for, Orthanc's database was replaced.
 *
 * @param changes the changes listed, in Orthanc's order
 * @param done false while Orthanc has more changes after these
 * @param last see above
 * @param skipped entries that were unusable (not an object, no whole Seq, a NewInstance with a malformed ID)
 *                and were left out; the page's others count all the same
 */
public record OrthancChangesPage(List<Change> changes, boolean done, long last, int skipped) {

    /** Orthanc's resource IDs: SHA-1 based, hexadecimal groups joined by dashes. */
    private static final Pattern ORTHANC_ID = Pattern.compile("[0-9a-f]{8}(-[0-9a-f]{8}){4}");

    /** One entry of the change log. */
    public record Change(long seq, String changeType, String resourceType, String id) {

        /** An instance was stored (with a well-formed ID, safe to put into a URL path). */
        public boolean newInstance() {
            return namesInstance() && isOrthancId(id);
        }

        boolean namesInstance() {
            return "NewInstance".equals(changeType) && "Instance".equals(resourceType);
        }
    }

    public OrthancChangesPage {
        changes = List.copyOf(changes);
    }

    public OrthancChangesPage(List<Change> changes, boolean done, long last) {
        this(changes, done, last, 0);
    }

    /**
     * One odd entry is skipped (and counted), not the page: the page's other changes are real stores.
     *
     * @throws IllegalArgumentException when the answer is not shaped like Orthanc's, naming what is wrong
     */
    public static OrthancChangesPage parse(JsonObject answer) {
        JsonValue list = answer.get("Changes");
        if (list == null || list.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new IllegalArgumentException("not an Orthanc /changes answer: no \"Changes\" array");
        }
        List<Change> changes = new ArrayList<>();
        int skipped = 0;
        JsonArray array = list.asJsonArray();
        for (int i = 0; i < array.size(); i++) {
            Change change = change(array.get(i));
            if (change == null) {
                skipped++;
            } else {
                changes.add(change);
                if (change.namesInstance() && !change.newInstance()) {
                    skipped++;
                }
            }
        }
        JsonValue done = answer.get("Done");
        if (done != JsonValue.TRUE && done != JsonValue.FALSE) {
            throw new IllegalArgumentException("not an Orthanc /changes answer: \"Done\" is not true or false");
        }
        return new OrthancChangesPage(changes, done == JsonValue.TRUE, number(answer, "Last", "Last"), skipped);
    }

    /** The entry, or null when it is no object or has no whole Seq. */
    private static Change change(JsonValue entry) {
        if (entry.getValueType() != JsonValue.ValueType.OBJECT) {
            return null;
        }
        JsonObject c = entry.asJsonObject();
        JsonValue seq = c.get("Seq");
        if (!isCount(seq)) {
            return null;
        }
        return new Change(((JsonNumber) seq).longValue(), text(c, "ChangeType"), text(c, "ResourceType"), text(c, "ID"));
    }

    /** The Orthanc IDs of the instances stored, in order. */
    public List<String> newInstanceIds() {
        return changes.stream().filter(Change::newInstance).map(Change::id).toList();
    }

    private static long number(JsonObject o, String key, String path) {
        JsonValue v = o.get(key);
        if (!isCount(v)) {
            throw new IllegalArgumentException(path + ": not a whole number, 0 or more");
        }
        return ((JsonNumber) v).longValue();
    }

    private static boolean isCount(JsonValue v) {
        return v != null && v.getValueType() == JsonValue.ValueType.NUMBER && ((JsonNumber) v).isIntegral()
                && ((JsonNumber) v).longValue() >= 0;
    }

    /** Whether the text is shaped like an Orthanc resource ID (and so safe in a URL path). */
    static boolean isOrthancId(String id) {
        return id != null && ORTHANC_ID.matcher(id).matches();
    }

    /** A string member, or null when absent or not a string. */
    static String text(JsonObject o, String key) {
        JsonValue v = o.get(key);
        return v != null && v.getValueType() == JsonValue.ValueType.STRING ? o.getString(key) : null;
    }
}
