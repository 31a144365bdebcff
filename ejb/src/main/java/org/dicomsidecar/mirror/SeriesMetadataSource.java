package org.dicomsidecar.mirror;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;

/** What {@link SeriesMirror} needs of the host: a study's series and a series' metadata. */
public interface SeriesMetadataSource {

    /** The series' metadata, one dataset per instance, or empty when the host does not have the series. */
    Optional<List<JsonObject>> seriesMetadata(String studyUid, String seriesUid);

    /** The SeriesInstanceUIDs of a study on the host, or none when the host does not know the study. */
    List<String> seriesOfStudy(String studyUid);
}
