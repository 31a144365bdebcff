package org.dicomsidecar.qido;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.cohorts.CohortService;
import org.dicomsidecar.dicom.DicomDictionary;
import org.dicomsidecar.dicom.QidoReturnKeys;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.JsonMembers;
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
    public QidoAnswer query(QidoQuery q, String baseUrl) {
        QueryDeadline deadline = budget.start();
        Set<String> read = new TreeSet<>(q.level() == Level.STUDY ? STUDY_DEFAULTS : QidoReturnKeys.STUDY_AND_SERIES);
        q.returned().forEach(p -> read.add(p.tags().get(0)));
        List<CohortService.Hit> page = cohorts.hits(q.level(), q.where(), q.offset(), q.limit(),
                q.includeAll() ? null : read, deadline);
        Map<String, JsonObject> instances = q.level() == Level.INSTANCE
                ? cohorts.instanceDatasets(page.stream().map(CohortService.Hit::sop).toList(), deadline) : Map.of();
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
        boolean studyTotals = tags.contains("00201206") || tags.contains("00201208") || tags.contains("00080061");
        Map<String, SeriesCatalog.StudyTotals> totals = studyTotals && !page.isEmpty()
                ? catalog.studyTotals(SeriesCatalog.ofStudies(page.stream().map(CohortService.Hit::study).toList()))
                : Map.of();
        Map<String, Long> seriesInstances = tags.contains("00201209") ? seriesInstances(page) : Map.of();
        List<SortedMap<String, String>> rows = new ArrayList<>(page.size());
        for (CohortService.Hit h : page) {
            deadline.check();
            Map<String, String> dataset = h.dataset();
            if (q.level() == Level.INSTANCE && instances.containsKey(h.sop())) {
                dataset = JsonMembers.of(instances.get(h.sop()));
            }
            Set<String> rowTags = tags;
            if (q.includeAll()) {
                rowTags = new TreeSet<>(tags);
                dataset.keySet().stream().filter(t -> belongs(t, q.level())).forEach(rowTags::add);
            }
            rows.add(answer(h, dataset, rowTags, q.level(), baseUrl, totals.get(h.study()),
                    h.series() == null ? null : seriesInstances.get(h.series())));
        }
        return new QidoAnswer(rows);
    }

    /** The instance counts of the page's series: from the hits where the read knew them, else from the index. */
    private Map<String, Long> seriesInstances(List<CohortService.Hit> page) {
        Map<String, Long> out = new HashMap<>();
        List<String> studiesToRead = new ArrayList<>(); // of the series whose count the hit does not know
        for (CohortService.Hit h : page) {
            if (h.series() == null) {
                continue;
            }
            if (h.seriesInstances() >= 0) {
                out.put(h.series(), h.seriesInstances());
            } else {
                studiesToRead.add(h.study());
            }
        }
        if (!studiesToRead.isEmpty()) {
            for (SeriesCatalog.SeriesRow r : catalog.seriesRows(SeriesCatalog.ofStudies(studiesToRead))) {
                out.putIfAbsent(r.series(), r.instanceCount());
            }
        }
        return out;
    }

    private static boolean belongs(String tag, Level level) {
        String entity = DicomDictionary.standard().byTag(tag).map(DicomDictionary.Entry::level).orElse("");
        return switch (level) {
            case STUDY -> entity.equals("Patient") || entity.equals("Study");
            case SERIES -> entity.equals("Series");
            case INSTANCE -> !entity.equals("Patient") && !entity.equals("Study") && !entity.equals("Series");
        };
    }

    private SortedMap<String, String> answer(CohortService.Hit h, Map<String, String> dataset, Set<String> tags,
                                             Level level, String baseUrl, SeriesCatalog.StudyTotals totals,
                                             Long seriesInstances) {
        SortedMap<String, String> elements = new TreeMap<>();
        for (String tag : tags) {
            if (COMPUTED.contains(tag)) {
                continue;
            }
            String e = dataset.get(tag);
            if (e != null) {
                elements.put(tag, e);
            } else if (STUDY_DEFAULTS.contains(tag) || SERIES_DEFAULTS.contains(tag) || INSTANCE_DEFAULTS.contains(tag)) {
                DicomDictionary.standard().byTag(tag).ifPresent(d -> elements.put(tag, "{\"vr\":" + JsonMembers.quote(d.vr())
                        + "}"));
            }
        }
        String retrieve = baseUrl + "/studies/" + h.study() + (level != Level.STUDY ? "/series/" + h.series() : "")
                + (level == Level.INSTANCE ? "/instances/" + h.sop() : "");
        elements.put("00081190", element("UR", retrieve));
        elements.put("00080056", element("CS", "ONLINE"));
        if (tags.contains("00080061")) {
            StringBuilder m = new StringBuilder("{\"vr\":\"CS\",\"Value\":[");
            if (totals != null) {
                m.append(String.join(",", totals.modalities().stream().map(JsonMembers::quote).toList()));
            }
            elements.put("00080061", m.append("]}").toString());
        }
        if (tags.contains("00201206")) {
            elements.put("00201206", number("IS", totals == null ? 0 : totals.series()));
        }
        if (tags.contains("00201208")) {
            elements.put("00201208", number("IS", totals == null ? 0 : totals.instances()));
        }
        if (tags.contains("00201209") && h.series() != null && seriesInstances != null) {
            elements.put("00201209", number("IS", seriesInstances));
        }
        // UIDs a summary may not hold (SOPInstanceUID is per instance): the hit knows them
        putUidIfMissing(elements, Tags.STUDY_INSTANCE_UID, h.study());
        if (level != Level.STUDY) {
            putUidIfMissing(elements, Tags.SERIES_INSTANCE_UID, h.series());
        }
        if (level == Level.INSTANCE) {
            putUidIfMissing(elements, Tags.SOP_INSTANCE_UID, h.sop());
        }
        return elements;
    }

    private static void putUidIfMissing(Map<String, String> elements, String tag, String uid) {
        String e = elements.get(tag);
        if (uid != null && (e == null || !JsonMembers.hasMember(e, "Value"))) {
            elements.put(tag, element("UI", uid));
        }
    }

    private static String element(String vr, String value) {
        return "{\"vr\":" + JsonMembers.quote(vr) + ",\"Value\":[" + JsonMembers.quote(value) + "]}";
    }

    private static String number(String vr, long value) {
        return "{\"vr\":" + JsonMembers.quote(vr) + ",\"Value\":[" + value + "]}";
    }

}
