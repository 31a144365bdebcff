package org.dicomsidecar.ingest;

import static org.dicomsidecar.ingest.EventBodies.dicomItems;
import static org.dicomsidecar.ingest.EventBodies.dicomString;
import static org.dicomsidecar.ingest.EventBodies.malformed;
import static org.dicomsidecar.ingest.EventBodies.uid;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dicomsidecar.dicom.Tags;

/**
 * dcm4chee `ups:` exporter: POST application/dicom+json workitem.
 *
 * <p>Each item of InputInformationSequence (0040,4021) gives one event per ReferencedSOPSequence (0008,1199) item
 * (the instance), or, with no referenced instances, one event for its series, or for its study when its
 * SeriesInstanceUID is empty too (dcm4chee's study-level input information). Items whose TypeOfInstances
 * (0040,E001) is present and not "DICOM" are skipped. Paths in messages count items from 0.
 */
public final class UpsWorkitemParser {

    static final String SOURCE = "ups";

    private static final String INPUT_INFORMATION = "00404021";
    private static final String TYPE_OF_INSTANCES = "0040E001";
    private static final String REFERENCED_SOPS = "00081199";

    private UpsWorkitemParser() {
    }

    public static List<StoredEvent> parse(JsonValue body) {
        JsonObject workitem = EventBodies.singleDataset(body, "a UPS workitem");
        List<JsonObject> inputs = dicomItems(workitem, INPUT_INFORMATION, "InputInformationSequence");
        if (inputs.isEmpty()) {
            throw malformed("InputInformationSequence", (workitem.containsKey(INPUT_INFORMATION) ? "empty" : "missing")
                    + " (0040,4021): the workitem names no stored instances");
        }
        List<StoredEvent> events = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String path = "InputInformationSequence[" + i + "]";
            JsonObject item = inputs.get(i);
            Optional<String> type = dicomString(item, TYPE_OF_INSTANCES, path + ".TypeOfInstances");
            if (type.isPresent() && !"DICOM".equals(type.get().trim())) {
                continue;
            }
            String study = uid(dicomString(item, Tags.STUDY_INSTANCE_UID, path + ".StudyInstanceUID").orElse(null),
                    path + ".StudyInstanceUID");
            String series = dicomString(item, Tags.SERIES_INSTANCE_UID, path + ".SeriesInstanceUID").orElse(null);
            if (series != null) {
                uid(series, path + ".SeriesInstanceUID");
            }
            List<JsonObject> refs = dicomItems(item, REFERENCED_SOPS, path + ".ReferencedSOPSequence");
            if (refs.isEmpty()) {
                events.add(new StoredEvent(study, series, null, SOURCE));
                continue;
            }
            if (series == null) {
                throw malformed(path + ".SeriesInstanceUID",
                        "missing, but ReferencedSOPSequence names " + refs.size() + " instance(s)");
            }
            for (int j = 0; j < refs.size(); j++) {
                String field = path + ".ReferencedSOPSequence[" + j + "].ReferencedSOPInstanceUID";
                String sop = uid(dicomString(refs.get(j), Tags.REFERENCED_SOP_INSTANCE_UID, field).orElse(null), field);
                events.add(new StoredEvent(study, series, sop, SOURCE));
            }
        }
        return EventBodies.distinct(events);
    }
}
