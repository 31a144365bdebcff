package org.dicomsidecar.bench;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * What study number {@code index} of a seeded scale dataset holds: a pure function of the seed and the index, cheap
 * to compute, so that a dataset can be planned to a number of instances and grown later without writing again what
 * is there. Studies of 3 to 10 series: CT or MR image series of 50 to 300 instances, and SEG, SR and RTSTRUCT
 * objects that reference them. Patient {@code index / 3} has studies {@code 3p .. 3p+2}.
 */
record StudyPlan(int index, String seed, String studyUid, Patient patient, LocalDate date, int minuteOfDay,
                 String modality, BodyPart body, Scanner scanner, List<ImageSeries> images, List<Seg> segs,
                 boolean sr, boolean rtstruct) {

    record Patient(String id, String name, LocalDate birthDate, String sex) {
    }

    record BodyPart(String examined, String description, String procedureCode, String procedureMeaning,
                    String regionCode, String regionMeaning) {
    }

    record Scanner(String manufacturer, String model, String software, double fieldStrength) {
    }

    /** An image series; {@code number} is its SeriesNumber, {@code protocol} an index into the protocol table. */
    record ImageSeries(int number, String uid, String modality, int instances, double pixelSpacing,
                       double sliceThickness, int protocol) {
    }

    /** A segmentation of image series {@code source} (an index into images), one algorithm type per segment. */
    record Seg(int number, String uid, int source, List<String> algorithmTypes) {
    }

    static final List<BodyPart> CT_BODY = List.of(
            new BodyPart("HEAD", "CT Head without contrast", "CTHEADNC", "CT Head without contrast", "69536005", "Head"),
            new BodyPart("CHEST", "CT Chest with contrast", "CTCHESTC", "CT Chest with contrast", "51185008", "Chest"),
            new BodyPart("ABDOMEN", "CT Abdomen Pelvis with contrast", "CTABPELC", "CT Abdomen and Pelvis with contrast",
                    "818981001", "Abdomen"),
            new BodyPart("CHEST", "CT Pulmonary angiography", "CTPACHST", "CT Angiography pulmonary arteries",
                    "51185008", "Chest"),
            new BodyPart("LSPINE", "CT Lumbar spine", "CTLSPINE", "CT Lumbar spine", "122496007", "Lumbar spine"));

    static final List<BodyPart> MR_BODY = List.of(
            new BodyPart("BRAIN", "MR Brain with and without contrast", "MRBRAINWWO", "MR Brain with and without contrast",
                    "12738006", "Brain"),
            new BodyPart("KNEE", "MR Knee without contrast", "MRKNEENC", "MR Knee without contrast", "72696002", "Knee"),
            new BodyPart("PELVIS", "MR Prostate multiparametric", "MRPROSMP", "MR Prostate multiparametric",
                    "816092008", "Pelvis"),
            new BodyPart("LSPINE", "MR Lumbar spine without contrast", "MRLSPINE", "MR Lumbar spine without contrast",
                    "122496007", "Lumbar spine"));

    static final List<Scanner> CT_SCANNERS = List.of(
            new Scanner("SIEMENS", "SOMATOM Force", "syngo CT VA50A", 0),
            new Scanner("GE MEDICAL SYSTEMS", "Revolution CT", "revo_ct_22bc.50", 0),
            new Scanner("Philips", "IQon - Spectral CT", "4.7.5", 0),
            new Scanner("CANON_MEC", "Aquilion ONE", "V10.6SP0001", 0));

    static final List<Scanner> MR_SCANNERS = List.of(
            new Scanner("SIEMENS", "MAGNETOM Vida", "syngo MR XA31", 3.0),
            new Scanner("GE MEDICAL SYSTEMS", "SIGNA Premier", "RX29.1", 3.0),
            new Scanner("Philips Medical Systems", "Ingenia", "5.7.1", 1.5));

    static final double[] CT_SPACING = {0.5, 0.5, 0.5, 0.5, 0.5, 0.488281, 0.488281, 0.625, 0.625, 0.703125,
        0.703125, 0.78125, 0.78125, 0.976562, 0.976562, 0.5859375};
    static final double[] CT_THICKNESS = {0.5, 0.625, 1.0, 1.0, 1.25, 2.0, 3.0, 5.0};
    static final double[] MR_SPACING = {0.4, 0.5, 0.5, 0.7, 0.9, 1.0, 1.2};
    static final double[] MR_THICKNESS = {1.0, 3.0, 3.0, 4.0, 5.0};

    private static final String[] FAMILY = {"SMITH", "JOHNSON", "MUELLER", "GARCIA", "ROSSI", "DUBOIS", "NOVAK",
        "KOWALSKI", "JANSEN", "NIELSEN", "SILVA", "TANAKA", "KIM", "NGUYEN", "OKAFOR", "HANSEN", "BERG", "MARTIN",
        "LEROY", "SCHMIDT", "FISCHER", "WEBER", "MEYER", "WAGNER", "BECKER", "HOFFMANN", "KLEIN", "WOLF"};
    private static final String[] GIVEN_F = {"ANNA", "MARIA", "SOFIA", "EMMA", "JULIA", "LENA", "CLARA", "EVA",
        "NORA", "IDA"};
    private static final String[] GIVEN_M = {"JOHN", "PETER", "LUCAS", "DAVID", "JONAS", "MARCO", "PAUL", "ERIK",
        "HUGO", "TOM"};
    private static final String[] SEG_TYPES = {"MANUAL", "MANUAL", "SEMIAUTOMATIC", "AUTOMATIC", "AUTOMATIC",
        "AUTOMATIC"};
    private static final LocalDate FIRST_DAY = LocalDate.of(2010, 1, 1);
    private static final int DAYS = (int) (LocalDate.of(2025, 12, 31).toEpochDay() - FIRST_DAY.toEpochDay());

    /** The plan of study {@code index} of the dataset of this seed. */
    static StudyPlan of(String seed, int index) {
        SplittableRandom r = random(seed, "study", index);
        boolean ct = r.nextInt(10) < 7;
        List<BodyPart> bodies = ct ? CT_BODY : MR_BODY;
        BodyPart body = bodies.get(r.nextInt(bodies.size()));
        List<Scanner> scanners = ct ? CT_SCANNERS : MR_SCANNERS;
        Scanner scanner = scanners.get(r.nextInt(scanners.size()));
        int segCount = r.nextInt(10) < 5 ? 1 : r.nextInt(10) < 2 ? 2 : 0;
        boolean sr = r.nextInt(10) < 4;
        boolean rt = ct && r.nextInt(10) < 2;
        int derived = segCount + (sr ? 1 : 0) + (rt ? 1 : 0);
        int total = 3 + r.nextInt(8);
        int imageCount = Math.max(2, total - derived);
        List<ImageSeries> images = new ArrayList<>();
        for (int k = 0; k < imageCount; k++) {
            double spacing = ct ? pick(r, CT_SPACING) : pick(r, MR_SPACING);
            double thickness = ct ? pick(r, CT_THICKNESS) : pick(r, MR_THICKNESS);
            images.add(new ImageSeries(k + 1, uid(seed, "series", index, k), ct ? "CT" : "MR", 50 + r.nextInt(251),
                    spacing, thickness, r.nextInt(5)));
        }
        List<Seg> segs = new ArrayList<>();
        for (int s = 0; s < segCount; s++) {
            List<String> types = new ArrayList<>();
            for (int t = 1 + r.nextInt(3); t > 0; t--) {
                types.add(SEG_TYPES[r.nextInt(SEG_TYPES.length)]);
            }
            segs.add(new Seg(100 + s, uid(seed, "seg", index, s), r.nextInt(imageCount), List.copyOf(types)));
        }
        LocalDate date = FIRST_DAY.plusDays(r.nextInt(DAYS + 1));
        return new StudyPlan(index, seed, uid(seed, "study", index), patient(seed, index / 3), date,
                7 * 60 + r.nextInt(12 * 60), ct ? "CT" : "MR", body, scanner, List.copyOf(images), List.copyOf(segs),
                sr, rt);
    }

    /** Instances in the study: every image, one per SEG, SR and RTSTRUCT. */
    int instances() {
        return images.stream().mapToInt(ImageSeries::instances).sum() + segs.size() + (sr ? 1 : 0) + (rtstruct ? 1 : 0);
    }

    int seriesCount() {
        return images.size() + segs.size() + (sr ? 1 : 0) + (rtstruct ? 1 : 0);
    }

    String instanceUid(int series, int instance) {
        return uid(seed, "instance", index, series, instance);
    }

    /** A UID of this dataset (named apart from the static uid, which a String first argument would select). */
    String uidOf(Object... parts) {
        return uid(seed, parts);
    }

    static Patient patient(String seed, int number) {
        SplittableRandom r = random(seed, "patient", number);
        boolean female = r.nextBoolean();
        String given = female ? GIVEN_F[r.nextInt(GIVEN_F.length)] : GIVEN_M[r.nextInt(GIVEN_M.length)];
        String name = FAMILY[r.nextInt(FAMILY.length)] + "^" + given;
        LocalDate birth = LocalDate.of(1930, 1, 1).plusDays(r.nextInt(80 * 365));
        return new Patient(String.format("PID%08d", number), name, birth, female ? "F" : "M");
    }

    /** A UID under 2.25 (PS3.5 B.2) from the seed and the parts: the same parts always give the same UID. */
    static String uid(String seed, Object... parts) {
        StringBuilder name = new StringBuilder(seed);
        for (Object p : parts) {
            name.append('/').append(p);
        }
        UUID u = UUID.nameUUIDFromBytes(name.toString().getBytes(StandardCharsets.UTF_8));
        BigInteger value = BigInteger.valueOf(u.getMostSignificantBits()).shiftLeft(64)
                .or(BigInteger.valueOf(u.getLeastSignificantBits()).and(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)))
                .and(BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE));
        return "2.25." + value;
    }

    static SplittableRandom random(String seed, String kind, int number) {
        long h = 1125899906842597L;
        for (char c : (seed + "/" + kind).toCharArray()) {
            h = 31 * h + c;
        }
        return new SplittableRandom(h * 0x9E3779B97F4A7C15L + number);
    }

    private static double pick(SplittableRandom r, double[] values) {
        return values[r.nextInt(values.length)];
    }
}
