package org.dicomsidecar.ingest;

import static org.dicomsidecar.ingest.EventBodies.dicomItems;
import static org.dicomsidecar.ingest.EventBodies.dicomString;
import static org.dicomsidecar.ingest.EventBodies.malformed;
import static org.dicomsidecar.ingest.EventBodies.uid;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * A host's STOW-RS answer (DICOM JSON, PS3.18 Table 10.5.3-1), to mirror what it accepted.
 *
 * <p>Each ReferencedSOPSequence (0008,1199) item is a stored instance; FailedSOPSequence (0008,1198) items are not.
 * The study and series come from the item's RetrieveURL (0008,1190),
 * {@code .../studies/{study}/series/{series}/instances/{sop}}; the instance UID in that URL must be the item's
 * ReferencedSOPInstanceUID. An item without RetrieveURL gives a study-level event for the study of the top-level
 * RetrieveURL ({@code .../studies/{study}}). Paths in messages count items from 0; URLs are not quoted.
 */
public final class StowResponseParser {

    static final String SOURCE = "stow";

    private static final String RETRIEVE_URL = "00081190";
    private static final String REFERENCED_SOPS = "00081199";
    private static final String REFERENCED_SOP_UID = "00081155";

    private StowResponseParser() {
    }

    public static List<StoredEvent> parse(JsonValue body) {
        JsonObject answer = EventBodies.singleDataset(body, "a STOW-RS response");
        List<JsonObject> stored = dicomItems(answer, REFERENCED_SOPS, "ReferencedSOPSequence");
        List<StoredEvent> events = new ArrayList<>();
        StoredEvent studyEvent = null;
        for (int i = 0; i < stored.size(); i++) {
            String path = "ReferencedSOPSequence[" + i + "]";
            JsonObject item = stored.get(i);
            String sopPath = path + ".ReferencedSOPInstanceUID";
            String sop = uid(dicomString(item, REFERENCED_SOP_UID, sopPath).orElse(null), sopPath);
            String urlPath = path + ".RetrieveURL";
            String url = dicomString(item, RETRIEVE_URL, urlPath).orElse(null);
            if (url == null) {
                if (studyEvent == null) {
                    studyEvent = studyLevel(answer, urlPath);
                }
                events.add(studyEvent);
                continue;
            }
            RetrieveUrl target = RetrieveUrl.parse(url, urlPath);
            if (target.sop() != null && !target.sop().equals(sop)) {
                throw malformed(urlPath, "names another instance than ReferencedSOPInstanceUID " + sop);
            }
            events.add(target.series() == null
                    ? new StoredEvent(target.study(), null, null, SOURCE)
                    : new StoredEvent(target.study(), target.series(), sop, SOURCE));
        }
        return EventBodies.distinct(events);
    }

    private static StoredEvent studyLevel(JsonObject answer, String itemUrlPath) {
        String url = dicomString(answer, RETRIEVE_URL, "RetrieveURL").orElseThrow(() -> malformed(itemUrlPath,
                "missing, and the response has no top-level RetrieveURL (0008,1190) to take the study from"));
        return new StoredEvent(RetrieveUrl.parse(url, "RetrieveURL").study(), null, null, SOURCE);
    }

    /** The UIDs named by a DICOMweb retrieve URL; series and sop may be null. */
    record RetrieveUrl(String study, String series, String sop) {

        static RetrieveUrl parse(String url, String path) {
            String p = url;
            int cut = indexOfAny(p, '?', '#');
            if (cut >= 0) {
                p = p.substring(0, cut);
            }
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            String[] segments = p.split("/", -1);
            int studies = -1;
            for (int i = segments.length - 2; i >= 0; i--) {
                if ("studies".equals(segments[i])) {
                    studies = i;
                    break;
                }
            }
            int rest = studies < 0 ? -1 : segments.length - studies;
            boolean shaped = rest == 2
                    || rest == 4 && "series".equals(segments[studies + 2])
                    || rest == 6 && "series".equals(segments[studies + 2]) && "instances".equals(segments[studies + 4]);
            if (!shaped) {
                throw malformed(path, "not a DICOMweb study, series or instance URL"
                        + " (expected .../studies/{study}[/series/{series}[/instances/{instance}]])");
            }
            String study = uid(segments[studies + 1], path + " (study UID)");
            String series = rest >= 4 ? uid(segments[studies + 3], path + " (series UID)") : null;
            String sop = rest == 6 ? uid(segments[studies + 5], path + " (instance UID)") : null;
            return new RetrieveUrl(study, series, sop);
        }

        private static int indexOfAny(String s, char a, char b) {
            int i = s.indexOf(a);
            int j = s.indexOf(b);
            return i < 0 ? j : j < 0 ? i : Math.min(i, j);
        }
    }
}
