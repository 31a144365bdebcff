package org.dicomsidecar.qido;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.cohorts.CohortService;
import org.dicomsidecar.dicom.DicomDictionary;
import org.dicomsidecar.dicom.QidoReturnKeys;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.CohortQuery.Level;
import org.dicomsidecar.query.QueryBudget;
import org.dicomsidecar.query.QueryDeadline;

/**
 * QIDO-RS answered from the mirror, on any attribute: the matching is the cohort engine's, the answer is
 * DICOM JSON with the attributes PS3.18 requires at each level (Table 6.7.1-2a), the matched and included
 * ones, and the computed ones (ModalitiesInStudy, NumberOfStudy/SeriesRelated..., RetrieveURL).
 */
@ApplicationScoped
public class MirrorQidoService {

    // Table 6.7.1-2a's attributes by tag, as the table lists them
    private static final List<String> STUDY_DEFAULTS = QidoReturnKeys.STUDY;
    private static final List<String> SERIES_DEFAULTS = QidoReturnKeys.SERIES;
    private static final List<String> INSTANCE_DEFAULTS = QidoReturnKeys.INSTANCE;
    private static final Set<String> COMPUTED = Set.of("00080056", "00080061", "00081190", "00201206", "00201208",
            "00201209");

    @Inject
    CohortService cohorts;

    @Inject
    SeriesCatalog catalog;

    @Inject
    QueryBudget budget;

    /**
     * Each level's answer carries its parents' default attributes too, nested requests included
     * ({@code /studies/{s}/series/{x}/instances} has StudyInstanceUID, SeriesInstanceUID, Modality...):
     * as the archives answer, and as clients (dicomweb-client, OHIF) read them.
     *
     * @param baseUrl the DICOMweb base the RetrieveURLs point at (the sidecar's mirror root)
     */
    public JsonArray query(QidoQuery q, String baseUrl) {
        QueryDeadline deadline = budget.start();
        Set<String> read = new TreeSet<>(q.level() == Level.STUDY ? STUDY_DEFAULTS : QidoReturnKeys.STUDY_AND_SERIES);
        q.returned().forEach(p -> read.add(p.tags().get(0)));
        List<CohortService.Hit> page = cohorts.hits(q.level(), q.where(), q.offset(), q.limit(),
                q.includeAll() ? null : read, deadline);
        Map<String, JsonObject> instances = q.level() == Level.INSTANCE
                ? cohorts.instanceDatasets(page.stream().map(CohortService.Hit::sop).toList(), deadline) : Map.of();
        Map<String, List<SeriesCatalog.SeriesRow>> seriesOfStudies = seriesOfStudies(page);
        JsonArrayBuilder out = Jsonp.createArrayBuilder();
        for (CohortService.Hit h : page) {
            deadline.check();
            JsonObject dataset = q.level() == Level.INSTANCE ? instances.getOrDefault(h.sop(), h.dataset()) : h.dataset();
            Set<String> tags = new TreeSet<>();
            switch (q.level()) {
                case STUDY -> tags.addAll(STUDY_DEFAULTS);
                case SERIES -> {
                    tags.addAll(SERIES_DEFAULTS);
                    tags.addAll(STUDY_DEFAULTS);
                }
                case INSTANCE -> {
                    tags.addAll(INSTANCE_DEFAULTS);
                    tags.addAll(SERIES_DEFAULTS);
                    tags.addAll(STUDY_DEFAULTS);
                }
            }
            q.returned().forEach(p -> tags.add(p.tags().get(0)));
            if (q.includeAll()) {
                dataset.keySet().stream().filter(t -> belongs(t, q.level())).forEach(tags::add);
            }
            out.add(answer(h, dataset, tags, q.level(), baseUrl, seriesOfStudies.getOrDefault(h.study(), List.of())));
        }
        return out.build();
    }

    private static boolean belongs(String tag, Level level) {
        String entity = DicomDictionary.standard().byTag(tag).map(DicomDictionary.Entry::level).orElse("");
        return switch (level) {
            case STUDY -> entity.equals("Patient") || entity.equals("Study");
            case SERIES -> entity.equals("Series");
            case INSTANCE -> !entity.equals("Patient") && !entity.equals("Study") && !entity.equals("Series");
        };
    }

    /** The series of the page's studies, from the index's doc values in one query (for the computed attributes). */
    private Map<String, List<SeriesCatalog.SeriesRow>> seriesOfStudies(List<CohortService.Hit> page) {
        Map<String, List<SeriesCatalog.SeriesRow>> out = new java.util.HashMap<>();
        if (page.isEmpty()) {
            return out;
        }
        List<String> studies = page.stream().map(CohortService.Hit::study).distinct().toList();
        for (SeriesCatalog.SeriesRow r : catalog.seriesRows(SeriesCatalog.ofStudies(studies))) {
            out.computeIfAbsent(r.study(), k -> new java.util.ArrayList<>()).add(r);
        }
        return out;
    }

    private JsonObject answer(CohortService.Hit h, JsonObject dataset, Set<String> tags, Level level, String baseUrl,
                              List<SeriesCatalog.SeriesRow> ofStudy) {
        Map<String, JsonValue> elements = new TreeMap<>();
        for (String tag : tags) {
            if (COMPUTED.contains(tag)) {
                continue;
            }
            JsonValue e = dataset.get(tag);
            if (e != null) {
                elements.put(tag, e);
            } else if (STUDY_DEFAULTS.contains(tag) || SERIES_DEFAULTS.contains(tag) || INSTANCE_DEFAULTS.contains(tag)) {
                DicomDictionary.standard().byTag(tag).ifPresent(d -> elements.put(tag,
                        Jsonp.createObjectBuilder().add("vr", d.vr()).build()));
            }
        }
        String retrieve = baseUrl + "/studies/" + h.study() + (level != Level.STUDY ? "/series/" + h.series() : "")
                + (level == Level.INSTANCE ? "/instances/" + h.sop() : "");
        elements.put("00081190", element("UR", retrieve));
        elements.put("00080056", element("CS", "ONLINE"));
        if (tags.contains("00201206") || tags.contains("00201208") || tags.contains("00080061")) {
            if (tags.contains("00080061")) {
                JsonArrayBuilder m = Jsonp.createArrayBuilder();
                new TreeSet<>(ofStudy.stream().map(SeriesCatalog.SeriesRow::modality).filter(x -> !x.isEmpty()).toList())
                        .forEach(m::add);
                elements.put("00080061", Jsonp.createObjectBuilder().add("vr", "CS").add("Value", m).build());
            }
            if (tags.contains("00201206")) {
                elements.put("00201206", number("IS", ofStudy.size()));
            }
            if (tags.contains("00201208")) {
                elements.put("00201208", number("IS", (int) ofStudy.stream().mapToLong(SeriesCatalog.SeriesRow::instanceCount)
                        .sum()));
            }
        }
        if (tags.contains("00201209") && h.series() != null) {
            ofStudy.stream().filter(r -> h.series().equals(r.series())).findFirst()
                    .ifPresent(r -> elements.put("00201209", number("IS", (int) r.instanceCount())));
        }
        // UIDs a summary may not hold (SOPInstanceUID is per instance): the hit knows them
        putUidIfMissing(elements, Tags.STUDY_INSTANCE_UID, h.study());
        if (level != Level.STUDY) {
            putUidIfMissing(elements, Tags.SERIES_INSTANCE_UID, h.series());
        }
        if (level == Level.INSTANCE) {
            putUidIfMissing(elements, Tags.SOP_INSTANCE_UID, h.sop());
        }
        JsonObjectBuilder b = Jsonp.createObjectBuilder();
        elements.forEach(b::add);
        return b.build();
    }

    private static void putUidIfMissing(Map<String, JsonValue> elements, String tag, String uid) {
        JsonValue e = elements.get(tag);
        if (uid != null && (e == null || !e.asJsonObject().containsKey("Value"))) {
            elements.put(tag, element("UI", uid));
        }
    }

    private static JsonObject element(String vr, String value) {
        return Jsonp.createObjectBuilder().add("vr", vr).add("Value", Jsonp.createArrayBuilder().add(value)).build();
    }

    private static JsonObject number(String vr, int value) {
        return Jsonp.createObjectBuilder().add("vr", vr).add("Value", Jsonp.createArrayBuilder().add(value)).build();
    }

}
