package org.dicomsidecar.index;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.util.BytesRef;
import org.dicomsidecar.dicom.Tags;

/**
 * One Lucene document per mirrored CouchDB document (see MirrorDocuments): an instance document's whole DICOM
 * JSON, a series document's shared attributes. Every attribute is indexed with no declaration, through every
 * sequence item. Nothing in the dataset makes it throw: a malformed element, value or item is skipped, a
 * malformed number or date is indexed as text only, InlineBinary and BulkDataURI are ignored.
 */
public final class DocumentMapper {

    /** Sequences nested deeper than this are not indexed (bounds the work on hostile input). */
    static final int MAX_DEPTH = 16;

    private DocumentMapper() {
    }

    /**
     * The Lucene document of a mirrored CouchDB document; empty for any other (a design document, a saved
     * cohort, a document without an id).
     */
    public static Optional<Document> map(JsonObject couchDocument) {
        String id = text(couchDocument.get("_id"));
        String type = text(couchDocument.get("type"));
        JsonValue dicom = couchDocument.get("dicom");
        JsonObject dataset = dicom instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
        if (id.isEmpty() || !(IndexFields.INSTANCE.equals(type) || IndexFields.SERIES_KIND.equals(type))) {
            return Optional.empty();
        }
        String study = orTag(text(couchDocument.get("study")), dataset, Tags.STUDY_INSTANCE_UID);
        String series = orTag(text(couchDocument.get("series")), dataset, Tags.SERIES_INSTANCE_UID);
        Document doc = dataset(id, type, study, series, dataset);
        if (IndexFields.INSTANCE.equals(type)) {
            String sop = orTag(text(couchDocument.get("sop")), dataset, Tags.SOP_INSTANCE_UID);
            if (!sop.isEmpty()) {
                doc.add(new StringField(IndexFields.SOP, sop, Field.Store.YES));
                doc.add(new SortedDocValuesField(IndexFields.SOP, new BytesRef(sop)));
            }
        } else {
            seriesFields(doc, couchDocument, study, series);
        }
        return Optional.of(doc);
    }

    /** What a series document adds: its varying tags, its entry (stored), its instance count and reference keys. */
    private static void seriesFields(Document doc, JsonObject couchDocument, String study, String series) {
        SeriesEntryJson entry = SeriesEntryJson.of(couchDocument);
        entry.varying().forEach(t -> doc.add(new StringField(IndexFields.VARYING, t, Field.Store.NO)));
        doc.add(new StoredField(IndexFields.ENTRY, entry.json().toString()));
        doc.add(new NumericDocValuesField(IndexFields.COUNT, entry.instanceCount()));
        doc.add(new SortedDocValuesField(IndexFields.MODALITY, new BytesRef(entry.json().getString("modality", ""))));
        entry.referenceKeys().forEach(k -> doc.add(new StringField(IndexFields.REFERENCE, IndexFields.capped(k),
                Field.Store.NO)));
    }

    /** The document of a dataset with its ids (series is null or empty for a study document). */
    public static Document dataset(String id, String kind, String study, String series, JsonObject dataset) {
        Document doc = new Document();
        doc.add(new StringField(IndexFields.ID, id, Field.Store.YES));
        doc.add(new StringField(IndexFields.KIND, kind, Field.Store.YES));
        if (study != null && !study.isEmpty()) {
            doc.add(new StringField(IndexFields.STUDY, study, Field.Store.YES));
            doc.add(new SortedDocValuesField(IndexFields.STUDY, new BytesRef(study)));
        }
        if (series != null && !series.isEmpty()) {
            doc.add(new StringField(IndexFields.SERIES, series, Field.Store.YES));
            doc.add(new SortedDocValuesField(IndexFields.SERIES, new BytesRef(series)));
        }
        Set<String> present = new TreeSet<>();
        attributes(doc, dataset, "", 0, present);
        present.forEach(p -> doc.add(new StringField(IndexFields.TAGS, p, Field.Store.NO)));
        return doc;
    }

    /** Adds the fields of every attribute of a dataset (or sequence item) under the parent path. */
    private static boolean attributes(Document doc, JsonObject dataset, String parent, int depth,
                                      Set<String> present) {
        boolean any = false;
        for (var e : dataset.entrySet()) {
            String tag = e.getKey();
            if (isTag(tag) && e.getValue() instanceof JsonObject element
                    && element.get("Value") instanceof JsonArray values) {
                FieldNames path = FieldNames.of(parent, tag.toUpperCase(Locale.ROOT));
                String vr = text(element.get("vr"));
                boolean indexed = false;
                for (JsonValue v : values) {
                    indexed |= "SQ".equals(vr) || (vr.isEmpty() && v instanceof JsonObject item && !isName(item))
                            ? item(doc, v, path, depth, present)
                            : value(doc, path, vr, v);
                }
                if (indexed) {
                    present.add(path.path);
                    any = true;
                }
            }
        }
        return any;
    }

    private static boolean item(Document doc, JsonValue item, FieldNames path, int depth, Set<String> present) {
        if (!(item instanceof JsonObject o) || depth >= MAX_DEPTH) {
            return false;
        }
        attributes(doc, o, path.path, depth + 1, present);
        return true; // an item, even an empty one, makes the sequence present
    }

    /** Indexes one value; false when there was nothing to index (null, a boolean, an array ...). */
    private static boolean value(Document doc, FieldNames path, String vr, JsonValue v) {
        if (v instanceof JsonString s) {
            AttributeFields.string(doc, path, vr, s.getString());
        } else if (v instanceof JsonNumber n) {
            AttributeFields.number(doc, path, vr, n.bigDecimalValue());
        } else if (v instanceof JsonObject name && isName(name)) {
            return personName(doc, path, name);
        } else {
            return false;
        }
        return true;
    }

    private static boolean personName(Document doc, FieldNames path, JsonObject name) {
        boolean any = false;
        if (name.get("Alphabetic") instanceof JsonString s) {
            AttributeFields.alphabetic(doc, path, s.getString());
            any = true;
        }
        if (name.get("Ideographic") instanceof JsonString s) {
            AttributeFields.group(doc, path.ideographic, s.getString());
            any = true;
        }
        if (name.get("Phonetic") instanceof JsonString s) {
            AttributeFields.group(doc, path.phonetic, s.getString());
            any = true;
        }
        return any;
    }

    private static boolean isName(JsonObject o) {
        return o.containsKey("Alphabetic") || o.containsKey("Ideographic") || o.containsKey("Phonetic");
    }

    private static boolean isTag(String key) {
        if (key.length() != 8) {
            return false;
        }
        for (int i = 0; i < 8; i++) {
            char c = key.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String orTag(String value, JsonObject dataset, String tag) {
        if (!value.isEmpty()) {
            return value;
        }
        JsonValue element = dataset.get(tag);
        if (element instanceof JsonObject o && o.get("Value") instanceof JsonArray a && !a.isEmpty()) {
            return text(a.get(0));
        }
        return "";
    }

    static String text(JsonValue v) {
        return v instanceof JsonString s ? s.getString() : "";
    }
}
