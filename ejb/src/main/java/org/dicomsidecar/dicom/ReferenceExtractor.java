package org.dicomsidecar.dicom;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dicomsidecar.json.Jsonp;

/**
 * Every reference from one DICOM instance to other objects (instances, series, studies), read from its metadata in
 * DICOM JSON (PS3.18 F.2). Pure: no I/O, no state.
 *
 * <p>The walk is generic: every sequence (vr {@code SQ}) at any depth is visited, whatever its tag (private ones
 * too), so that no reference path is missed: SEG ({@code ReferencedSeriesSequence>ReferencedInstanceSequence},
 * {@code PerFrameFunctionalGroupsSequence>DerivationImageSequence>SourceImageSequence}, the same under
 * {@code SharedFunctionalGroupsSequence}), SR and KOS ({@code CurrentRequestedProcedureEvidenceSequence>...},
 * {@code PertinentOtherEvidenceSequence>...}, the content tree {@code ContentSequence>...>ReferencedSOPSequence} at any
 * depth), the RT structure set chain, RT plan and dose references, presentation states, plain images
 * ({@code ReferencedImageSequence}, {@code SourceImageSequence}) and cross-study references
 * ({@code StudiesContainingOtherReferencedInstancesSequence}).
 *
 * <p>Rules:
 * <ul>
 * <li>A sequence item holding ReferencedSOPInstanceUID (0008,1155) is an instance-level reference; its
 *     ReferencedSOPClassUID (0008,1150) gives the class, its ReferencedFrameNumber (0008,1160) the frames.</li>
 * <li>A sequence item holding StudyInstanceUID (0020,000D) or SeriesInstanceUID (0020,000E) sets the study or series
 *     of the references found in it (its own, and those of the items nested in it). A new study clears the series
 *     context unless the item names a series too.</li>
 * <li>Items of the top-level ReferencedSeriesSequence (0008,1115) (Common Instance Reference module of SEG, SR,
 *     enhanced images; Presentation State Relationship module) name series of the dataset's own study: that study is
 *     their study context. Cross-study references are in StudiesContainingOtherReferencedInstancesSequence
 *     (0008,1200), whose items name their study.</li>
 * <li>In RTReferencedStudySequence (3006,0012) and ReferencedStudySequence (0008,1110) items, and in any item whose
 *     ReferencedSOPClassUID is Detached Study Management (1.2.840.10008.3.1.2.3.1) or Study Component Management
 *     (1.2.840.10008.3.1.2.3.2), the ReferencedSOPInstanceUID is a study UID: a study-level reference, and the study
 *     context for what is inside.</li>
 * <li>An item that names a series but in which no reference at all is found (a ReferencedSeriesSequence item with
 *     only its SeriesInstanceUID, a RelatedSeriesSequence item, an RTReferencedSeriesSequence item without
 *     ContourImageSequence) is a series-level reference. An item that names a study only and in which nothing is
 *     found (an evidence or StudiesContainingOtherReferencedInstancesSequence item without series) is a study-level
 *     reference.</li>
 * <li>References to things that are not stored objects are left out: the other management SOP classes
 *     (1.2.840.10008.3.1.2.*: performed procedure steps, detached patient, visit, results ...), print management
 *     (1.2.840.10008.5.1.1.*) and worklist procedure steps (1.2.840.10008.5.1.4.34.6.*), and every item of
 *     ReferencedPerformedProcedureStepSequence (0008,1111), ReferencedPatientSequence (0008,1120) and
 *     ReferencedVisitSequence (0008,1125). FrameOfReferenceUID and ReferencedFrameOfReferenceUID are never references
 *     (a frame of reference is not an object).</li>
 * <li>The dataset's own UIDs are not references: the top-level StudyInstanceUID, SeriesInstanceUID and SOPInstanceUID
 *     are never read as targets, and a reference whose target is the dataset's own study, series or instance is left
 *     out (an item of RequestAttributesSequence naming the dataset's own study, an RT structure set whose
 *     RTReferencedStudySequence names the study it is in). Such an item still gives its context to what is inside.
 *     </li>
 * <li>The result is de-duplicated: one reference per level, target and path, with the union of the frames; in order
 *     of first appearance, attributes visited in tag order.</li>
 * <li>An instance-level reference whose study, series or class is not given where it is found gets them from another
 *     reference to the same SOP Instance UID in the same dataset (a SOP Instance UID denotes one object): for example
 *     a SEG's per-frame SourceImageSequence items get the series named in its ReferencedSeriesSequence, an RT
 *     structure set's ROIContourSequence contour images the series of its RTReferencedSeriesSequence.</li>
 * </ul>
 *
 * <p>The extractor never throws on a {@link JsonObject}: parts that break the DICOM JSON model (a Value that is not an
 * array, an item that is not an object, a UID that is not a string, a frame number that is not an integer) are skipped.
 */
public final class ReferenceExtractor {

    static final String REFERENCED_SOP_CLASS_UID = "00081150";
    static final String REFERENCED_FRAME_NUMBER = "00081160";

    static final String REFERENCED_STUDY_SEQUENCE = "00081110";
    static final String REFERENCED_SERIES_SEQUENCE = "00081115";
    static final String RT_REFERENCED_STUDY_SEQUENCE = "30060012";

    /** Referenced SOP classes whose instance UID is a Study Instance UID. */
    static final Set<String> STUDY_SOP_CLASSES = Set.of(
            "1.2.840.10008.3.1.2.3.1", // Detached Study Management (retired)
            "1.2.840.10008.3.1.2.3.2"); // Study Component Management (retired)

    /** Referenced SOP class prefixes that denote no stored object (management, print, worklist). */
    private static final List<String> NON_OBJECT_CLASS_PREFIXES = List.of(
            "1.2.840.10008.3.1.2.", "1.2.840.10008.5.1.1.", "1.2.840.10008.5.1.4.34.6.");

    /** Sequences whose items reference things that are not stored objects. */
    private static final Set<String> NON_OBJECT_SEQUENCES = Set.of(
            "00081111", // ReferencedPerformedProcedureStepSequence
            "00081120", // ReferencedPatientSequence
            "00081125"); // ReferencedVisitSequence

    private ReferenceExtractor() {
    }

    /** Every reference in the dataset, de-duplicated (same level, target and path once; the union of frames). */
    public static List<Reference> references(JsonObject dataset) {
        if (dataset == null) {
            return List.of();
        }
        Walker walker = new Walker(firstUid(dataset, Tags.STUDY_INSTANCE_UID),
                firstUid(dataset, Tags.SERIES_INSTANCE_UID),
                firstUid(dataset, Tags.SOP_INSTANCE_UID));
        walker.attributes(dataset, "", null, null);
        return walker.result();
    }

    /**
     * The references as a JSON array of objects {@code {level, uid, study?, series?, sopClass?, frames?, path}} for
     * storage in a CouchDB document: absent study, series and class are left out, and so are empty frames.
     */
    public static JsonArray toJson(List<Reference> refs) {
        JsonArrayBuilder array = Jsonp.createArrayBuilder();
        if (refs == null) {
            return array.build();
        }
        for (Reference ref : refs) {
            JsonObjectBuilder o = Jsonp.createObjectBuilder()
                    .add("level", ref.level())
                    .add("uid", ref.targetUid());
            if (ref.targetStudy() != null) {
                o.add("study", ref.targetStudy());
            }
            if (ref.targetSeries() != null) {
                o.add("series", ref.targetSeries());
            }
            if (ref.targetSopClass() != null) {
                o.add("sopClass", ref.targetSopClass());
            }
            if (!ref.frames().isEmpty()) {
                JsonArrayBuilder frames = Jsonp.createArrayBuilder();
                ref.frames().forEach(frames::add);
                o.add("frames", frames);
            }
            o.add("path", ref.path());
            array.add(o);
        }
        return array.build();
    }

    /**
     * The references back from {@link #toJson(List)}'s form (as read from a CouchDB document).
     *
     * @throws IllegalArgumentException if an element is not an object of that form
     */
    public static List<Reference> fromJson(JsonArray array) {
        if (array == null) {
            return List.of();
        }
        List<Reference> refs = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonValue value = array.get(i);
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new IllegalArgumentException("reference " + (i + 1) + " is not an object");
            }
            JsonObject o = value.asJsonObject();
            try {
                List<Integer> frames = new ArrayList<>();
                if (o.containsKey("frames")) {
                    for (JsonValue f : o.getJsonArray("frames")) {
                        frames.add(((JsonNumber) f).intValueExact());
                    }
                }
                refs.add(new Reference(o.getString("level"), o.getString("uid"), o.getString("study", null),
                        o.getString("series", null), o.getString("sopClass", null), frames, o.getString("path")));
            } catch (ClassCastException | NullPointerException | ArithmeticException e) {
                throw new IllegalArgumentException("reference " + (i + 1) + " is not {level, uid, path, ...}", e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("reference " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return Collections.unmodifiableList(refs);
    }

    /** The keyword used in paths for a sequence tag (8 hex digits), or the tag itself in upper case if unknown. */
    public static String keyword(String tag) {
        String upper = tag.toUpperCase(Locale.ROOT);
        // standard sequences by their dictionary keyword; private ones by tag
        return DicomDictionary.standard().byTag(upper).map(DicomDictionary.Entry::keyword).orElse(upper);
    }

    private static final class Walker {
        private final String ownStudy;
        private final String ownSeries;
        private final String ownInstance;
        private final Map<String, Merged> found = new LinkedHashMap<>();

        Walker(String ownStudy, String ownSeries, String ownInstance) {
            this.ownStudy = ownStudy;
            this.ownSeries = ownSeries;
            this.ownInstance = ownInstance;
        }

        /** Visits the sequences of a dataset or item; returns how many references were seen inside. */
        int attributes(JsonObject object, String path, String study, String series) {
            int seen = 0;
            List<String> tags = new ArrayList<>(object.keySet());
            tags.sort((a, b) -> a.toUpperCase(Locale.ROOT).compareTo(b.toUpperCase(Locale.ROOT)));
            for (String tag : tags) {
                List<JsonObject> items = sequenceItems(object.get(tag));
                if (items == null) {
                    continue;
                }
                String upperTag = tag.toUpperCase(Locale.ROOT);
                String itemPath = path.isEmpty() ? keyword(upperTag) : path + ">" + keyword(upperTag);
                // the top-level ReferencedSeriesSequence (Common Instance Reference and Presentation State
                // Relationship modules) lists series of the dataset's own study
                String itemStudy = path.isEmpty() && REFERENCED_SERIES_SEQUENCE.equals(upperTag) ? ownStudy : study;
                for (JsonObject item : items) {
                    seen += item(item, upperTag, itemPath, itemStudy, series);
                }
            }
            return seen;
        }

        /** Visits one sequence item; returns how many references were seen in it (itself included). */
        private int item(JsonObject item, String sequenceTag, String path, String outerStudy, String outerSeries) {
            String itemStudy = firstUid(item, Tags.STUDY_INSTANCE_UID);
            String itemSeries = firstUid(item, Tags.SERIES_INSTANCE_UID);
            String study = itemStudy != null ? itemStudy : outerStudy;
            String series = itemSeries != null ? itemSeries
                    : itemStudy != null && !itemStudy.equals(outerStudy) ? null : outerSeries;

            int seen = 0;
            List<String> sops = uids(item, Tags.REFERENCED_SOP_INSTANCE_UID);
            if (!sops.isEmpty()) {
                String sopClass = firstUid(item, REFERENCED_SOP_CLASS_UID);
                if (RT_REFERENCED_STUDY_SEQUENCE.equals(sequenceTag) || REFERENCED_STUDY_SEQUENCE.equals(sequenceTag)
                        || sopClass != null && STUDY_SOP_CLASSES.contains(sopClass)) {
                    for (String uid : sops) {
                        seen++;
                        add(Reference.STUDY, uid, uid, null, sopClass, List.of(), path);
                    }
                    String referencedStudy = sops.get(0);
                    if (!referencedStudy.equals(study)) {
                        series = itemSeries;
                    }
                    study = referencedStudy;
                } else if (!NON_OBJECT_SEQUENCES.contains(sequenceTag) && !isNonObjectClass(sopClass)) {
                    List<Integer> frames = frames(item);
                    for (String uid : sops) {
                        seen++;
                        add(Reference.INSTANCE, uid, study, series, sopClass, frames, path);
                    }
                }
            }

            seen += attributes(item, path, study, series);

            if (seen == 0) {
                if (itemSeries != null) {
                    seen++;
                    add(Reference.SERIES, itemSeries, study, itemSeries, null, List.of(), path);
                } else if (itemStudy != null) {
                    seen++;
                    add(Reference.STUDY, itemStudy, itemStudy, null, null, List.of(), path);
                }
            }
            return seen;
        }

        private void add(String level, String uid, String study, String series, String sopClass,
                List<Integer> frames, String path) {
            String own = switch (level) {
                case Reference.STUDY -> ownStudy;
                case Reference.SERIES -> ownSeries;
                default -> ownInstance;
            };
            if (uid.equals(own)) {
                return;
            }
            String key = level + '\u0000' + uid + '\u0000' + path;
            Merged merged = found.get(key);
            if (merged == null) {
                found.put(key, new Merged(level, uid, study, series, sopClass, frames, path));
            } else {
                merged.merge(study, series, sopClass, frames);
            }
        }

        List<Reference> result() {
            // what is known of each referenced instance anywhere in the dataset
            Map<String, Merged> known = new HashMap<>();
            for (Merged m : found.values()) {
                if (Reference.INSTANCE.equals(m.level)) {
                    Merged k = known.computeIfAbsent(m.uid,
                            uid -> new Merged(Reference.INSTANCE, uid, null, null, null, List.of(), ""));
                    k.merge(m.study, m.series, m.sopClass, List.of());
                }
            }
            List<Reference> refs = new ArrayList<>(found.size());
            for (Merged m : found.values()) {
                if (Reference.INSTANCE.equals(m.level)) {
                    Merged k = known.get(m.uid);
                    m.merge(k.study, k.series, k.sopClass, List.of());
                }
                refs.add(new Reference(m.level, m.uid, m.study, m.series, m.sopClass, List.copyOf(m.frames), m.path));
            }
            return Collections.unmodifiableList(refs);
        }
    }

    private static final class Merged {
        final String level;
        final String uid;
        final String path;
        String study;
        String series;
        String sopClass;
        final TreeSet<Integer> frames = new TreeSet<>();

        Merged(String level, String uid, String study, String series, String sopClass, List<Integer> frames,
                String path) {
            this.level = level;
            this.uid = uid;
            this.path = path;
            merge(study, series, sopClass, frames);
        }

        void merge(String study, String series, String sopClass, List<Integer> frames) {
            if (this.study == null) {
                this.study = study;
            }
            if (this.series == null) {
                this.series = series;
            }
            if (this.sopClass == null) {
                this.sopClass = sopClass;
            }
            this.frames.addAll(frames);
        }
    }

    private static boolean isNonObjectClass(String sopClass) {
        if (sopClass == null) {
            return false;
        }
        for (String prefix : NON_OBJECT_CLASS_PREFIXES) {
            if (sopClass.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The items of an attribute if it is a sequence (vr SQ, or no vr and object values), otherwise null. */
    private static List<JsonObject> sequenceItems(JsonValue attribute) {
        if (attribute == null || attribute.getValueType() != JsonValue.ValueType.OBJECT) {
            return null;
        }
        JsonObject a = attribute.asJsonObject();
        JsonValue vr = a.get("vr");
        boolean sq = vr != null && vr.getValueType() == JsonValue.ValueType.STRING
                && "SQ".equals(((JsonString) vr).getString());
        JsonValue value = a.get("Value");
        if (value == null || value.getValueType() != JsonValue.ValueType.ARRAY) {
            return null;
        }
        List<JsonObject> items = new ArrayList<>();
        for (JsonValue v : value.asJsonArray()) {
            if (v.getValueType() == JsonValue.ValueType.OBJECT) {
                items.add(v.asJsonObject());
            }
        }
        if (!sq && (vr != null || items.isEmpty())) {
            return null;
        }
        return items;
    }

    /** The Value array of an attribute (the tag in upper or lower case), or null. */
    private static JsonArray values(JsonObject object, String tag) {
        JsonValue attribute = object.get(tag);
        if (attribute == null) {
            attribute = object.get(tag.toLowerCase(Locale.ROOT));
        }
        if (attribute == null || attribute.getValueType() != JsonValue.ValueType.OBJECT) {
            return null;
        }
        JsonValue value = attribute.asJsonObject().get("Value");
        if (value == null || value.getValueType() != JsonValue.ValueType.ARRAY) {
            return null;
        }
        return value.asJsonArray();
    }

    /** The non-empty UID values of an attribute, trimmed (padding blanks and NULs removed). */
    private static List<String> uids(JsonObject object, String tag) {
        JsonArray values = values(object, tag);
        if (values == null) {
            return List.of();
        }
        List<String> uids = new ArrayList<>(values.size());
        for (JsonValue v : values) {
            String s = switch (v.getValueType()) {
                case STRING -> ((JsonString) v).getString();
                case NUMBER -> v.toString();
                default -> null;
            };
            if (s != null) {
                s = strip(s);
                if (!s.isEmpty() && !uids.contains(s)) {
                    uids.add(s);
                }
            }
        }
        return uids;
    }

    private static String firstUid(JsonObject object, String tag) {
        List<String> uids = uids(object, tag);
        return uids.isEmpty() ? null : uids.get(0);
    }

    private static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) <= ' ')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) <= ' ')) {
            end--;
        }
        return s.substring(start, end);
    }

    /** ReferencedFrameNumber values (IS: JSON numbers or strings) that are positive integers. */
    private static List<Integer> frames(JsonObject item) {
        JsonArray values = values(item, REFERENCED_FRAME_NUMBER);
        if (values == null) {
            return List.of();
        }
        List<Integer> frames = new ArrayList<>(values.size());
        for (JsonValue v : values) {
            Integer frame = null;
            try {
                if (v.getValueType() == JsonValue.ValueType.NUMBER) {
                    frame = ((JsonNumber) v).bigDecimalValue().intValueExact();
                } else if (v.getValueType() == JsonValue.ValueType.STRING) {
                    String s = strip(((JsonString) v).getString());
                    if (!s.isEmpty()) {
                        frame = new BigDecimal(s).intValueExact();
                    }
                }
            } catch (ArithmeticException | NumberFormatException e) {
                frame = null;
            }
            if (frame != null && frame > 0) {
                frames.add(frame);
            }
        }
        return frames;
    }
}
