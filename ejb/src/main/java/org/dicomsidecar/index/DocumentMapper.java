package org.dicomsidecar.index;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.util.BytesRef;
import org.dicomsidecar.dicom.DicomDictionary;
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
        doc.add(new BinaryDocValuesField(IndexFields.ENTRY, new BytesRef(entry.json().toString())));
        doc.add(new BinaryDocValuesField(IndexFields.SUMMARY, new BytesRef(entry.summary().toString())));
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
        Paths paths = new Paths();
        attributes(doc, dataset, "", 0, paths);
        paths.present.forEach(p -> doc.add(new StringField(IndexFields.TAGS, p, Field.Store.NO)));
        paths.numbers.stream().filter(paths.others::contains)
                .forEach(p -> doc.add(new StringField(IndexFields.MIXED, p, Field.Store.NO)));
        return doc;
    }

    /**
     * What a document's walk saw of each tag path: which have a value, which have a value indexed as a number,
     * and which have a value position that is not one (null, text, a name, an item).
     */
    private static final class Paths {
        final Set<String> present = new TreeSet<>();
        final Set<String> numbers = new HashSet<>();
        final Set<String> others = new HashSet<>();
    }

    /** Adds the fields of every attribute of a dataset (or sequence item) under the parent path. */
    private static boolean attributes(Document doc, JsonObject dataset, String parent, int depth, Paths paths) {
        boolean any = false;
        for (var e : dataset.entrySet()) {
            String tag = e.getKey(); // as the evaluator reads it: a tag in lower case is no attribute
            if (isTag(tag) && e.getValue() instanceof JsonObject element
                    && element.get("Value") instanceof JsonArray values) {
                FieldNames path = FieldNames.of(parent, tag);
                // values are read as the evaluator reads them: by the dictionary's VR of a standard tag, by the
                // element's own VR of a private or unknown one, whose items it reads whatever that VR says
                String known = DicomDictionary.standard().byTag(tag).map(DicomDictionary.Entry::vr).orElse("");
                String vr = known.isEmpty() ? text(element.get("vr")) : known;
                boolean indexed = false;
                boolean numbers = false;
                boolean others = false;
                for (JsonValue v : values) {
                    int indexedAs = "SQ".equals(vr) || (known.isEmpty() && v instanceof JsonObject item && !isName(item))
                            ? (item(doc, v, path, depth, paths) ? INDEXED : 0)
                            : value(doc, path, vr, v);
                    indexed |= indexedAs != 0;
                    if ((indexedAs & NUMBER) != 0) {
                        numbers = true;
                    } else {
                        others = true;
                    }
                }
                if (numbers) {
                    paths.numbers.add(path.path);
                }
                if (others) {
                    paths.others.add(path.path);
                }
                if (indexed) {
                    paths.present.add(path.path);
                    any = true;
                }
            }
        }
        return any;
    }

    private static boolean item(Document doc, JsonValue item, FieldNames path, int depth, Paths paths) {
        if (!(item instanceof JsonObject o) || depth >= MAX_DEPTH) {
            return false;
        }
        attributes(doc, o, path.path, depth + 1, paths);
        return true; // an item, even an empty one, makes the sequence present
    }

    /** {@link #value}: something was indexed. */
    private static final int INDEXED = 1;
    /** {@link #value}: a finite number was indexed ({@link IndexFields#NUM}), as the evaluator reads a number. */
    private static final int NUMBER = 2;

    /** Indexes one value; 0 when there was nothing to index (null, a boolean, an array ...), else flags. */
    private static int value(Document doc, FieldNames path, String vr, JsonValue v) {
        if (v instanceof JsonString s) {
            return INDEXED | (AttributeFields.string(doc, path, vr, s.getString()) ? NUMBER : 0);
        } else if (v instanceof JsonNumber n) {
            return INDEXED | (AttributeFields.number(doc, path, vr, n.bigDecimalValue()) ? NUMBER : 0);
        } else if (v instanceof JsonObject name && isName(name)) {
            return personName(doc, path, name) ? INDEXED : 0;
        }
        return 0;
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
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
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
