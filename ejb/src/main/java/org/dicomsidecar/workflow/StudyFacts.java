package org.dicomsidecar.workflow;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.dicomsidecar.json.Jsonp;

/**
 * What the mirror says about a study, kept current as data arrives (derived on demand from the mirror):
 * modalities present, whether it has a segmentation, an SR, an RT structure set, the segmentation
 * algorithm types (SegmentAlgorithmType: MANUAL, SEMIAUTOMATIC, AUTOMATIC), and counts.
 */
public record StudyFacts(String study, Set<String> modalities, Set<String> segmentAlgorithmTypes, int series,
                         int instances) {

    public static final List<String> NAMES = List.of("modalities", "segmentAlgorithmTypes", "hasSegmentation",
            "hasStructuredReport", "hasRtStructureSet", "series", "instances");

    public boolean hasSegmentation() {
        return modalities.contains("SEG");
    }

    public boolean hasStructuredReport() {
        return modalities.contains("SR");
    }

    public boolean hasRtStructureSet() {
        return modalities.contains("RTSTRUCT");
    }

    /** The values of a fact, as text, to test with "contains" (booleans as "true"/"false"). */
    public Collection<String> values(String fact) {
        return switch (fact) {
            case "modalities" -> modalities;
            case "segmentAlgorithmTypes" -> segmentAlgorithmTypes;
            case "hasSegmentation" -> Set.of(String.valueOf(hasSegmentation()));
            case "hasStructuredReport" -> Set.of(String.valueOf(hasStructuredReport()));
            case "hasRtStructureSet" -> Set.of(String.valueOf(hasRtStructureSet()));
            case "series" -> Set.of(String.valueOf(series));
            case "instances" -> Set.of(String.valueOf(instances));
            default -> throw new IllegalArgumentException("unknown fact " + fact);
        };
    }

    public JsonObject toJson() {
        JsonArrayBuilder m = Jsonp.createArrayBuilder();
        new TreeSet<>(modalities).forEach(m::add);
        JsonArrayBuilder s = Jsonp.createArrayBuilder();
        new TreeSet<>(segmentAlgorithmTypes).forEach(s::add);
        return Jsonp.createObjectBuilder().add("modalities", m).add("segmentAlgorithmTypes", s)
                .add("hasSegmentation", hasSegmentation()).add("hasStructuredReport", hasStructuredReport())
                .add("hasRtStructureSet", hasRtStructureSet()).add("series", series).add("instances", instances)
                .build();
    }
}
