package org.dicomsidecar.dicom;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One reference from an instance to another object, as found in its DICOM JSON metadata by {@link ReferenceExtractor}.
 *
 * @param level          what {@code targetUid} denotes: {@code "instance"} (a SOP Instance UID), {@code "series"} (a
 *                       Series Instance UID) or {@code "study"} (a Study Instance UID)
 * @param targetUid      the referenced UID
 * @param targetStudy    the study of the target, when the dataset says it (for a study-level reference, the target
 *                       itself); otherwise null
 * @param targetSeries   the series of the target, when the dataset says it (for a series-level reference, the target
 *                       itself; for a study-level one, always null); otherwise null
 * @param targetSopClass the Referenced SOP Class UID, when given; otherwise null
 * @param frames         the referenced frame numbers (ascending, distinct), or empty for the whole object
 * @param path           the chain of sequence keywords the reference was found under, top-level first, joined by
 *                       {@code ">"}, e.g. {@code "ReferencedSeriesSequence>ReferencedInstanceSequence"}; a sequence
 *                       without a keyword in the extractor's table appears as its 8 hex digit tag
 */
public record Reference(String level, String targetUid, String targetStudy, String targetSeries, String targetSopClass,
        List<Integer> frames, String path) {

    public static final String INSTANCE = "instance";
    public static final String SERIES = "series";
    public static final String STUDY = "study";

    private static final Set<String> LEVELS = Set.of(INSTANCE, SERIES, STUDY);

    public Reference {
        Objects.requireNonNull(level, "level");
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException("level is instance, series or study");
        }
        Objects.requireNonNull(targetUid, "targetUid");
        Objects.requireNonNull(path, "path");
        frames = frames == null ? List.of() : List.copyOf(frames);
    }
}
