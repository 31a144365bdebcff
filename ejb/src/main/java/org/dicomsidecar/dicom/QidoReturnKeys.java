package org.dicomsidecar.dicom;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The attributes a QIDO-RS answer holds at each level unless asked for more (PS3.18, the study, series and instance
 * query keys and return attributes), as DICOM JSON keys. A level's answer carries its parents' too.
 */
public final class QidoReturnKeys {

    public static final List<String> STUDY = List.of("00080005", "00080020", "00080030", "00080050",
            "00080056", "00080061", "00080090", "00080201", "00081190", "00100010", "00100020", "00100030", "00100040",
            "0020000D", "00200010", "00201206", "00201208");
    public static final List<String> SERIES = List.of("00080005", "00080060", "00080201", "0008103E",
            "00081190", "0020000E", "00200011", "00201209", "00400244", "00400245");
    public static final List<String> INSTANCE = List.of("00080005", "00080016", "00080018", "00080056",
            "00080201", "00081190", "00200013", "00280010", "00280011", "00280100", "00280008");

    /** What a series-level answer holds by default: the study's return attributes and the series'. */
    public static final Set<String> STUDY_AND_SERIES;

    static {
        Set<String> both = new TreeSet<>(STUDY);
        both.addAll(SERIES);
        STUDY_AND_SERIES = Set.copyOf(both);
    }

    private QidoReturnKeys() {
    }
}
