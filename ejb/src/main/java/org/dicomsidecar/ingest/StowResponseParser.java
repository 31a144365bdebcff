package org.dicomsidecar.ingest;

import static org.dicomsidecar.ingest.EventBodies.dicomItems;
import static org.dicomsidecar.ingest.EventBodies.dicomString;
import static org.dicomsidecar.ingest.EventBodies.malformed;
import static org.dicomsidecar.ingest.EventBodies.uid;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.dicomsidecar.dicom.Tags;

/**
 * A host's STOW-RS answer (DICOM JSON, PS3.18 Table 10.5.3-1), to mirror what it accepted.
 *
 * <p>Each ReferencedSOPSequence (0008,1199) item is a stored instance; FailedSOPSequence (0008,1198) items are not.
 * The study and series come from the item's RetrieveURL (0008,1190),
 * {@code .../studies/{study}/series/{series}/instances/{sop}}; the instance UID in that URL must be the item's
 * ReferencedSOPInstanceUID. An item without RetrieveURL gives a study-level event for the study of the top-level
 * RetrieveURL ({@code .../studies/{study}}). Paths in messages count items from 0; URLs are not quoted.
 *
 * <p>The archive has stored every referenced instance, so one unusable item (an unsafe UID, a URL of another
 * shape) is skipped, with the reason, and the others still count. Only an answer that is no STOW answer at
 * all is refused.
 */
public final class StowResponseParser {

    static final String SOURCE = "stow";

    private static final String RETRIEVE_URL = "00081190";
    private static final String REFERENCED_SOPS = "00081199";

    private StowResponseParser() {
    }

    /**
     * The events of the items that could be read, and why each other item was skipped.
     *
     * @param events each stored instance's event (or its study's), each once
     * @param skipped per skipped item, what is wrong with it (paths and UIDs only)
     */
    public record StowAnswer(List<StoredEvent> events, List<String> skipped) {
    }

    /** The events of the usable items (see {@link #read}). */
    public static List<StoredEvent> parse(JsonValue body) {
        return read(body).events();
    }

    /**
     * @throws InvalidEventException when the body is no STOW-RS answer (not one dataset, or its
     *                               ReferencedSOPSequence is malformed)
     */
    public static StowAnswer read(JsonValue body) {
        JsonObject answer = EventBodies.singleDataset(body, "a STOW-RS response");
        List<JsonObject> stored = dicomItems(answer, REFERENCED_SOPS, "ReferencedSOPSequence");
        List<StoredEvent> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            try {
                events.add(event(answer, stored.get(i), "ReferencedSOPSequence[" + i + "]"));
            } catch (InvalidEventException e) {
                skipped.add(e.getMessage());
            }
        }
        return new StowAnswer(EventBodies.distinct(events), List.copyOf(skipped));
    }

    private static StoredEvent event(JsonObject answer, JsonObject item, String path) {
        String sopPath = path + ".ReferencedSOPInstanceUID";
        String sop = uid(dicomString(item, Tags.REFERENCED_SOP_INSTANCE_UID, sopPath).orElse(null), sopPath);
        String urlPath = path + ".RetrieveURL";
        String url = dicomString(item, RETRIEVE_URL, urlPath).orElse(null);
        if (url == null) {
            return studyLevel(answer, urlPath);
        }
        RetrieveUrl target = RetrieveUrl.parse(url, urlPath);
        if (target.sop() != null && !target.sop().equals(sop)) {
            throw malformed(urlPath, "names another instance than ReferencedSOPInstanceUID " + sop);
        }
        return target.series() == null
                ? new StoredEvent(target.study(), null, null, SOURCE)
                : new StoredEvent(target.study(), target.series(), sop, SOURCE);
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
