package org.dicomsidecar.bench;

import jakarta.json.JsonObject;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dicomsidecar.bench.StudyPlan.ImageSeries;
import org.dicomsidecar.bench.StudyPlan.Seg;

/**
 * The DICOM JSON metadata of a planned study, series by series, as a host archive's WADO-RS metadata answers it
 * (Orthanc's form: pixel data as a BulkDataURI, empty type 2 attributes with their VR alone). The image attributes
 * follow a real CT's (pydicom's CT_small.dcm, GE) and a modern scanner's dose and acquisition attributes, about
 * 110 per instance, one private group; only what changes from slice to slice is built per instance.
 */
final class StudyDatasets {

    static final String CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2";
    static final String MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4";
    static final String SEGMENTATION = "1.2.840.10008.5.1.4.1.1.66.4";
    static final String COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33";
    static final String RT_STRUCTURE_SET = "1.2.840.10008.5.1.4.1.1.481.3";
    static final String DETACHED_STUDY = "1.2.840.10008.3.1.2.3.1";
    static final String MPPS = "1.2.840.10008.3.1.2.3.3";

    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    private static final String BULK_BASE = "http://127.0.0.1:8042/dicom-web/studies/";

    /** MR protocols: SeriesDescription, ScanningSequence, SequenceVariant, TR, TE, flip angle. */
    private static final String[][] MR_PROTOCOLS = {
        {"t1_mprage_sag_p2_iso", "GR\\IR", "SK\\SP\\MP", "2300", "2.98", "9"},
        {"t2_tse_tra_p2", "SE", "SK\\SP\\OSP", "5000", "98", "150"},
        {"t2_flair_tra_fs", "SE\\IR", "SK\\SP\\MP", "9000", "81", "150"},
        {"ep2d_diff_tra_b50_800", "EP", "SK\\SP", "4800", "60", "90"},
        {"pd_tse_fs_cor", "SE", "SK\\SP\\OSP", "3200", "30", "150"}};
    private static final String[] CT_KERNELS = {"Br40", "Br60", "Bv40", "Qr40", "Hr38"};

    private StudyDatasets() {
    }

    /** Every series of the study, each a list of instance datasets: the image series, then SEGs, SR, RTSTRUCT. */
    static List<List<JsonObject>> of(StudyPlan plan) {
        List<List<JsonObject>> out = new ArrayList<>();
        List<List<JsonObject>> images = new ArrayList<>();
        for (ImageSeries s : plan.images()) {
            List<JsonObject> series = imageSeries(plan, s);
            images.add(series);
            out.add(series);
        }
        List<JsonObject> segs = new ArrayList<>();
        for (Seg seg : plan.segs()) {
            JsonObject ds = seg(plan, seg, plan.images().get(seg.source()), images.get(seg.source()));
            segs.add(ds);
            out.add(List.of(ds));
        }
        if (plan.sr()) {
            out.add(List.of(sr(plan, images, segs)));
        }
        if (plan.rtstruct()) {
            out.add(List.of(rtstruct(plan, plan.images().get(0), images.get(0))));
        }
        return out;
    }

    /** Patient, study and equipment attributes every object of the study carries. */
    private static Attributes studyHeader(StudyPlan p) {
        String date = p.date().format(DA);
        Attributes a = new Attributes()
                .text("00080005", "CS", "ISO_IR 100")
                .text("00080020", "DA", date)
                .text("00080030", "TM", time(p.minuteOfDay(), 0))
                .text("00080050", "SH", String.format("ACC%07d", p.index()))
                .text("00080080", "LO", "DICOM SIDECAR GENERAL HOSPITAL")
                .text("00080081", "ST", "1 Example Street, Springfield")
                .name("00080090", "WELBY^MARCUS^^DR")
                .text("00080201", "SH", "+0100")
                .text("00081030", "LO", p.body().description())
                .sequence("00081032", Attributes.code(p.body().procedureCode(), "99ORDERS", p.body().procedureMeaning()))
                .name("00100010", p.patient().name())
                .text("00100020", "LO", p.patient().id())
                .text("00100021", "LO", "SIDECAR-HOSP")
                .text("00100030", "DA", p.patient().birthDate().format(DA))
                .text("00100040", "CS", p.patient().sex())
                .text("00101010", "AS", String.format("%03dY", age(p.patient().birthDate(), p.date())))
                .number("00101020", "DS", 1.5 + (p.index() % 40) / 100.0)
                .number("00101030", "DS", 50 + p.index() % 50)
                .text("00200010", "SH", String.valueOf(10000 + p.index()))
                .text("0020000D", "UI", p.studyUid())
                .name("00321032", "HOUSE^GREGORY")
                .text("00321060", "LO", p.body().description());
        return a;
    }

    private static List<JsonObject> imageSeries(StudyPlan p, ImageSeries s) {
        boolean ct = s.modality().equals("CT");
        String seriesTime = time(p.minuteOfDay(), 2 + 3 * s.number());
        Attributes series = studyHeader(p)
                .text("00080008", "CS", "ORIGINAL", "PRIMARY", "AXIAL")
                .text("00080012", "DA", p.date().format(DA))
                .text("00080016", "UI", ct ? CT_IMAGE : MR_IMAGE)
                .text("00080021", "DA", p.date().format(DA))
                .text("00080022", "DA", p.date().format(DA))
                .text("00080023", "DA", p.date().format(DA))
                .text("00080031", "TM", seriesTime)
                .text("00080032", "TM", seriesTime)
                .text("00080060", "CS", s.modality())
                .text("00080070", "LO", p.scanner().manufacturer())
                .text("0008103E", "LO", description(s, ct))
                .text("00081040", "LO", "RADIOLOGY")
                .text("00081010", "SH", (ct ? "CT" : "MR") + String.format("%02d", p.index() % 7))
                .text("00081090", "LO", p.scanner().model())
                .sequence("00081111", new Attributes().text("00081150", "UI", MPPS)
                        .text("00081155", "UI", p.uidOf("mpps", p.index())))
                .sequence("00082218", Attributes.code(p.body().regionCode(), "SCT", p.body().regionMeaning()))
                .text("00180015", "CS", p.body().examined())
                .number("00180050", "DS", s.sliceThickness())
                .text("00181000", "LO", String.valueOf(40000 + p.index() % 13))
                .text("00181020", "LO", p.scanner().software())
                .text("00181030", "LO", p.body().description())
                .text("00185100", "CS", ct ? "FFS" : "HFS")
                .text("0020000E", "UI", s.uid())
                .number("00200011", "IS", s.number())
                .number("00200012", "IS", 1)
                .number("00200037", "DS", 1, 0, 0, 0, 1, 0)
                .text("00200052", "UI", p.uidOf("frame-of-reference", p.index()))
                .empty("00201040", "LO")
                .number("00280002", "US", 1)
                .text("00280004", "CS", "MONOCHROME2")
                .number("00280010", "US", ct ? 512 : 384)
                .number("00280011", "US", ct ? 512 : 384)
                .number("00280030", "DS", s.pixelSpacing(), s.pixelSpacing())
                .number("00280100", "US", 16)
                .number("00280101", "US", ct ? 12 : 16)
                .number("00280102", "US", ct ? 11 : 15)
                .number("00280103", "US", ct ? 1 : 0)
                .text("00282110", "CS", "00")
                .text("00400244", "DA", p.date().format(DA))
                .text("00400245", "TM", time(p.minuteOfDay(), 1))
                .text("00400253", "SH", String.format("PPS%07d", p.index()))
                .text("00400254", "LO", p.body().description())
                .sequence("00400275", new Attributes().text("00401001", "SH", String.format("RP%07d", p.index()))
                        .text("00400009", "SH", String.format("SPS%07d", p.index()))
                        .text("00400007", "LO", p.body().description()))
                // a private group, as scanners write them (creator, then elements in its block)
                .text("00290010", "LO", "SIDECAR SCALE PRIVATE")
                .text("00291008", "CS", "IMAGE NUM 4")
                .text("00291009", "LO", "20180208");
        if (ct) {
            series.text("00180022", "CS", "HELIX")
                    .number("00180060", "DS", 120)
                    .number("00180090", "DS", 500)
                    .number("00181100", "DS", 360)
                    .number("00181110", "DS", 1085.6)
                    .number("00181111", "DS", 595)
                    .number("00181120", "DS", 0)
                    .number("00181130", "DS", 150.5)
                    .text("00181140", "CS", "CW")
                    .number("00181150", "IS", 500)
                    .text("00181160", "SH", "FLAT")
                    .number("00181170", "IS", 42)
                    .number("00181190", "DS", 1.2)
                    .text("00181200", "DA", p.date().minusDays(1).format(DA))
                    .text("00181201", "TM", "071500")
                    .text("00181210", "SH", CT_KERNELS[s.protocol()])
                    .number("00189306", "FD", 0.6)
                    .number("00189307", "FD", 38.4)
                    .number("00189309", "FD", 46)
                    .number("00189310", "FD", 23)
                    .number("00189311", "FD", 0.6)
                    .text("00189323", "CS", "XYZ_EC")
                    .number("00189345", "FD", 5 + s.protocol() * 1.5)
                    .sequence("00189346", Attributes.code("113691", "DCM", "IEC Body Dosimetry Phantom"))
                    .text("00201040", "LO", "SN")
                    .number("00281050", "DS", 40)
                    .number("00281051", "DS", 400)
                    .number("00281052", "DS", -1024)
                    .number("00281053", "DS", 1)
                    .text("00281054", "LO", "HU")
                    .text("00281055", "LO", "WINDOW1");
        } else {
            String[] protocol = MR_PROTOCOLS[s.protocol()];
            series.text("0008103E", "LO", protocol[0])
                    .text("00180020", "CS", protocol[1].split("\\\\"))
                    .text("00180021", "CS", protocol[2].split("\\\\"))
                    .text("00180022", "CS", "PFP", "SAT1")
                    .text("00180023", "CS", s.protocol() == 0 ? "3D" : "2D")
                    .text("00180024", "SH", "*" + protocol[0].split("_")[0])
                    .number("00180080", "DS", Double.parseDouble(protocol[3]))
                    .number("00180081", "DS", Double.parseDouble(protocol[4]))
                    .number("00180083", "DS", 1)
                    .number("00180084", "DS", p.scanner().fieldStrength() * 42.577)
                    .text("00180085", "SH", "1H")
                    .number("00180086", "IS", 1)
                    .number("00180087", "DS", p.scanner().fieldStrength())
                    .number("00180088", "DS", s.sliceThickness() * 1.1)
                    .number("00180089", "IS", 256)
                    .number("00180091", "IS", 11)
                    .number("00180093", "DS", 100)
                    .number("00180094", "DS", 100)
                    .number("00180095", "DS", 200)
                    .text("00181250", "SH", "Head/Neck 20")
                    .text("00181251", "SH", "Body")
                    .number("00181310", "US", 0, 256, 256, 0)
                    .text("00181312", "CS", "ROW")
                    .number("00181314", "DS", Double.parseDouble(protocol[5]))
                    .number("00181316", "DS", 0.42)
                    .number("00181318", "DS", 0)
                    .number("00281050", "DS", 600)
                    .number("00281051", "DS", 1200);
        }
        String seriesPath = BULK_BASE + p.studyUid() + "/series/" + s.uid() + "/instances/";
        List<JsonObject> out = new ArrayList<>(s.instances());
        SplittableRandom r = StudyPlan.random(p.seed(), "slices-" + s.number(), p.index());
        for (int i = 0; i < s.instances(); i++) {
            String sop = p.instanceUid(s.number(), i);
            double z = -75.5 - i * s.sliceThickness();
            Attributes a = series.copy()
                    .text("00080013", "TM", time(p.minuteOfDay(), 2 + 3 * s.number()) + "." + String.format("%03d", i % 1000))
                    .text("00080018", "UI", sop)
                    .text("00080033", "TM", time(p.minuteOfDay(), 3 + 3 * s.number()))
                    .number("00200013", "IS", i + 1)
                    .number("00200032", "DS", -158.5, -179.25, z)
                    .number("00201041", "DS", z)
                    .number("00280106", ct ? "SS" : "US", ct ? -2000 + r.nextInt(24) : 0)
                    .number("00280107", ct ? "SS" : "US", 2000 + r.nextInt(2000))
                    .bulkData("7FE00010", "OW", seriesPath + sop + "/bulk/7fe00010");
            if (ct) {
                int current = 180 + r.nextInt(220);
                a.number("00181151", "IS", current).number("00181152", "IS", current / 2);
            }
            out.add(a.build());
        }
        return out;
    }

    private static JsonObject seg(StudyPlan p, Seg seg, ImageSeries source, List<JsonObject> sourceImages) {
        String sop = p.uidOf("seg-instance", p.index(), seg.number());
        int from = sourceImages.size() / 4;
        int to = Math.min(sourceImages.size(), from + 120);
        List<JsonObject> refs = new ArrayList<>();
        for (JsonObject image : sourceImages.subList(from, to)) {
            refs.add(Attributes.sopReference(sopClass(source), image.getJsonObject("00080018").getJsonArray("Value").getString(0)));
        }
        List<JsonObject> segments = new ArrayList<>();
        for (int k = 0; k < seg.algorithmTypes().size(); k++) {
            String type = seg.algorithmTypes().get(k);
            Attributes segment = new Attributes()
                    .number("00620004", "US", k + 1)
                    .text("00620005", "LO", k == 0 ? "Liver" : k == 1 ? "Tumor" : "Vessel")
                    .text("00620008", "CS", type)
                    .sequence("00620003", Attributes.code("123037004", "SCT", "Anatomical Structure"))
                    .sequence("0062000F", Attributes.code(k == 1 ? "108369006" : "10200004", "SCT",
                            k == 1 ? "Neoplasm" : "Liver"));
            if (!type.equals("MANUAL")) {
                segment.text("00620009", "LO", "TotalSegmentator");
            }
            segments.add(segment.build());
        }
        return studyHeader(p)
                .text("00080008", "CS", "DERIVED", "PRIMARY")
                .text("00080016", "UI", SEGMENTATION)
                .text("00080018", "UI", sop)
                .text("00080021", "DA", p.date().format(DA))
                .text("00080031", "TM", time(p.minuteOfDay(), 90 + seg.number()))
                .text("00080060", "CS", "SEG")
                .text("00080070", "LO", "QIICR")
                .text("0008103E", "LO", "Segmentation " + seg.algorithmTypes().get(0).toLowerCase())
                .text("00081090", "LO", "dcmqi")
                .sequence("00081115", new Attributes().text("0020000E", "UI", source.uid())
                        .sequence("0008114A", refs))
                .text("00181020", "LO", "1.2.5")
                .text("0020000E", "UI", seg.uid())
                .number("00200011", "IS", seg.number())
                .number("00200013", "IS", 1)
                .text("00200052", "UI", p.uidOf("frame-of-reference", p.index()))
                .number("00280002", "US", 1)
                .number("00280008", "IS", refs.size() * seg.algorithmTypes().size())
                .number("00280010", "US", 512)
                .number("00280011", "US", 512)
                .number("00280100", "US", 1)
                .number("00280101", "US", 1)
                .number("00280102", "US", 0)
                .text("00700080", "CS", "SEGMENTATION")
                .text("00700081", "LO", "Automatic and manual segments")
                .name("00700084", "READER^ONE")
                .text("00620001", "CS", "BINARY")
                .sequence("00620002", segments)
                .sequence("52009229", new Attributes()
                        .sequence("00289110", new Attributes().number("00280030", "DS", source.pixelSpacing(), source.pixelSpacing())
                                .number("00180050", "DS", source.sliceThickness()))
                        .sequence("00209116", new Attributes().number("00200037", "DS", 1, 0, 0, 0, 1, 0)))
                .bulkData("7FE00010", "OB", BULK_BASE + p.studyUid() + "/series/" + seg.uid() + "/instances/" + sop
                        + "/bulk/7fe00010")
                .build();
    }

    private static JsonObject sr(StudyPlan p, List<List<JsonObject>> images, List<JsonObject> segs) {
        String sop = p.uidOf("sr-instance", p.index());
        ImageSeries source = p.images().get(0);
        List<JsonObject> firstSeries = images.get(0);
        List<JsonObject> evidence = new ArrayList<>();
        List<JsonObject> content = new ArrayList<>();
        content.add(new Attributes().text("0040A010", "CS", "CONTAINS").text("0040A040", "CS", "TEXT")
                .sequence("0040A043", Attributes.code("121071", "DCM", "Finding"))
                .text("0040A160", "UT", "No acute abnormality.").build());
        for (int k = 0; k < Math.min(4, firstSeries.size()); k++) {
            String image = firstSeries.get(k * firstSeries.size() / 4).getJsonObject("00080018").getJsonArray("Value").getString(0);
            JsonObject ref = Attributes.sopReference(sopClass(source), image);
            evidence.add(ref);
            content.add(new Attributes().text("0040A010", "CS", "CONTAINS").text("0040A040", "CS", "IMAGE")
                    .sequence("0040A043", Attributes.code("121112", "DCM", "Source of Measurement"))
                    .sequence("00081199", List.of(ref)).build());
        }
        List<JsonObject> evidenceSeries = new ArrayList<>();
        evidenceSeries.add(new Attributes().text("0020000E", "UI", source.uid()).sequence("00081199", evidence).build());
        for (int s = 0; s < segs.size(); s++) {
            evidenceSeries.add(new Attributes().text("0020000E", "UI", p.segs().get(s).uid())
                    .sequence("00081199", List.of(Attributes.sopReference(SEGMENTATION,
                            segs.get(s).getJsonObject("00080018").getJsonArray("Value").getString(0)))).build());
        }
        return studyHeader(p)
                .text("00080016", "UI", COMPREHENSIVE_SR)
                .text("00080018", "UI", sop)
                .text("00080023", "DA", p.date().format(DA))
                .text("00080033", "TM", time(p.minuteOfDay(), 120))
                .text("00080060", "CS", "SR")
                .text("00080070", "LO", "DICOM SIDECAR REPORTING")
                .text("0008103E", "LO", "Imaging Measurement Report")
                .text("0020000E", "UI", p.uidOf("sr-series", p.index()))
                .number("00200011", "IS", 200)
                .number("00200013", "IS", 1)
                .text("0040A040", "CS", "CONTAINER")
                .sequence("0040A043", Attributes.code("126000", "DCM", "Imaging Measurement Report"))
                .text("0040A050", "CS", "SEPARATE")
                .text("0040A491", "CS", "COMPLETE")
                .text("0040A493", "CS", "UNVERIFIED")
                .sequence("0040A504", new Attributes().text("00080105", "CS", "DCMR").text("0040DB00", "CS", "1500"))
                .sequence("0040A375", new Attributes().text("0020000D", "UI", p.studyUid())
                        .sequence("00081115", evidenceSeries))
                .sequence("0040A730", content)
                .build();
    }

    private static JsonObject rtstruct(StudyPlan p, ImageSeries source, List<JsonObject> sourceImages) {
        String sop = p.uidOf("rtstruct-instance", p.index());
        List<JsonObject> contourImages = new ArrayList<>();
        for (JsonObject image : sourceImages) {
            contourImages.add(Attributes.sopReference(sopClass(source),
                    image.getJsonObject("00080018").getJsonArray("Value").getString(0)));
        }
        String frame = p.uidOf("frame-of-reference", p.index());
        List<JsonObject> rois = new ArrayList<>();
        List<JsonObject> observations = new ArrayList<>();
        String[] names = {"PTV", "GTV", "SpinalCord", "Lung_L", "Lung_R"};
        for (int k = 0; k < names.length; k++) {
            rois.add(new Attributes().number("30060022", "IS", k + 1).text("30060024", "UI", frame)
                    .text("30060026", "LO", names[k]).text("30060036", "CS", "MANUAL").build());
            observations.add(new Attributes().number("30060082", "IS", k + 1).number("30060084", "IS", k + 1)
                    .text("300600A4", "CS", k < 2 ? "PTV" : "ORGAN").empty("300600A6", "PN").build());
        }
        return studyHeader(p)
                .text("00080016", "UI", RT_STRUCTURE_SET)
                .text("00080018", "UI", sop)
                .text("00080060", "CS", "RTSTRUCT")
                .text("00080070", "LO", "Varian Medical Systems")
                .text("0008103E", "LO", "RT Structure Set")
                .text("00081090", "LO", "ARIA RadOnc")
                .text("0020000E", "UI", p.uidOf("rtstruct-series", p.index()))
                .number("00200011", "IS", 300)
                .number("00200013", "IS", 1)
                .text("30060002", "SH", "RTSTRUCT")
                .text("30060008", "DA", p.date().format(DA))
                .text("30060009", "TM", time(p.minuteOfDay(), 150))
                .sequence("30060010", new Attributes().text("00200052", "UI", frame)
                        .sequence("30060012", new Attributes().text("00081150", "UI", DETACHED_STUDY)
                                .text("00081155", "UI", p.studyUid())
                                .sequence("30060014", new Attributes().text("0020000E", "UI", source.uid())
                                        .sequence("30060016", contourImages))))
                .sequence("30060020", rois)
                .sequence("30060080", observations)
                .build();
    }

    private static String description(ImageSeries s, boolean ct) {
        return ct ? String.format(java.util.Locale.ROOT, "Axial %.2f %s", s.sliceThickness(), CT_KERNELS[s.protocol()]) : MR_PROTOCOLS[s.protocol()][0];
    }

    private static String sopClass(ImageSeries s) {
        return s.modality().equals("CT") ? CT_IMAGE : MR_IMAGE;
    }

    private static String time(int minuteOfDay, int plusMinutes) {
        int m = (minuteOfDay + plusMinutes) % (24 * 60);
        return String.format("%02d%02d%02d", m / 60, m % 60, 0);
    }

    private static int age(LocalDate birth, LocalDate at) {
        return java.time.Period.between(birth, at).getYears();
    }
}
