#!/usr/bin/python3
"""Writes a deterministic synthetic DICOM dataset with a ground-truth manifest, and optionally loads it.

Used by the extension-query benchmark (references, cohorts, workflow facts) and by the side-by-side
comparison with the archive (2,000 / 10,000 / 50,000 instances). Runs on Debian's python3-pydicom, without numpy.

What a study holds (drawn per study from the seed):
  - 1-3 image series, CT (about 70 %) or MR, 10-60 instances each (scaled to --instances), with realistic
    spreads of PixelSpacing (0.5 x 0.5 in about 25 % of CT series, 0.488281, 0.625, 0.703125, ...; MR
    0.4-1.2; a few non-square, a few near 0.5 such as 0.503906), SliceThickness (0.5 ... 5), Manufacturer
    and model, StudyDate 2015-2025, BodyPartExamined (HEAD, CHEST, ABDOMEN, PELVIS, KNEE), patient sex and
    age, KVP (CT), MagneticFieldStrength / EchoTime / RepetitionTime (MR); 16 x 16 or 32 x 32 pixels;
  - in about 60 % a SEG (some studies two), segments MANUAL / SEMIAUTOMATIC / AUTOMATIC (some SEGs with two
    segments of different types), referencing one image series of the study through one of
    ReferencedSeriesSequence>ReferencedInstanceSequence, PerFrameFunctionalGroupsSequence>
    DerivationImageSequence>SourceImageSequence, SharedFunctionalGroupsSequence>...>SourceImageSequence,
    plain SourceImageSequence, or the first and second together (as most real SEGs do); BINARY frames.
    On purpose, the single-path SEGs break the Common Instance Reference module's conditions (dciodvfy
    says so): they exist to catch readers that look at one path only;
  - in about 40 % a Comprehensive SR: CurrentRequestedProcedureEvidenceSequence and IMAGE content items at
    depth 1 or 2 (ContentSequence[>ContentSequence]>ReferencedSOPSequence); about half of those in studies
    with a SEG reference the SEG too (SR -> SEG -> image chains);
  - in about 25 % an RT structure set (ReferencedFrameOfReferenceSequence>RTReferencedStudySequence>
    RTReferencedSeriesSequence>ContourImageSequence, and ROIContourSequence>ContourSequence>
    ContourImageSequence for each contour's slice);
  - in about 15 % a Grayscale Softcopy Presentation State (ReferencedSeriesSequence>ReferencedImageSequence,
    and GraphicAnnotationSequence>ReferencedImageSequence in some);
  - some patients have several studies: a few later studies carry a Key Object Selection (KO) or an SR that
    references the prior study's images (CurrentRequestedProcedureEvidenceSequence or
    PertinentOtherEvidenceSequence, plus StudiesContainingOtherReferencedInstancesSequence); a few objects
    reference instances that exist in no file (dangling), or a whole outside study. (The cross-study
    sequence is not part of the SR and KO IODs: dciodvfy warns "Standard Extended SOP Class".)

Determinism: the same --seed and sizes give the same UIDs (2.25.<UUID v5 from the seed>), values and
byte-identical files and manifest; another seed gives disjoint UIDs and patient IDs. Fast: each image
series is encoded once by pydicom from a template dataset; per instance only SOPInstanceUID,
InstanceNumber, ImagePositionPatient, SliceLocation and pixel data are re-encoded (checked byte for byte
against pydicom's dcmwrite: the first instance of the first series of each modality and matrix size, of
every series with --check). The other objects are written with dcmwrite. Files are written by
--write-threads threads while the main thread encodes.

Layout: OUT/st0001/se01-CT/0001.dcm ..., OUT/st0001/se04-SEG/0001.dcm, and OUT/manifest.json (ground truth,
computed from what was written: every reference is found by walking the written datasets' sequences;
one array element per line):
  {"generator": "dicom-sidecar generate_dataset.py", "formatVersion": 1, "seed": ..., "parameters": ...,
   "totals": {studies, series, instances, bytes, byModality, bySopClass, references, referencesByPath,
              danglingReferences, crossStudyReferences},
   "studies":   [{study, dir, PatientID, ..., modalities, series, instances, hasSEG, hasSR, hasRTSTRUCT,
                  hasPR, hasKO, segmentAlgorithmTypes}, ...],
   "series":    [{series, study, dir, modality, sopClass, instances, <attributes equal in all its instances>}],
   "instances": [{study, series, sop, sopClass, modality, file, <attributes below when written>}, ...],
   "references":[{source, sourceStudy, sourceModality, target, targetStudy, level, path, attribute,
                  targetSopClass, crossStudy, dangling}, ...]}
  Instance attributes (by keyword; multi-valued ones as lists, DS as numbers, IS/US as integers):
  PatientID PatientName PatientSex PatientAge PatientBirthDate StudyDate StudyTime AccessionNumber
  StudyDescription BodyPartExamined Manufacturer ManufacturerModelName SeriesDescription SeriesNumber
  InstanceNumber Rows Columns NumberOfFrames PixelSpacing SliceThickness ImagePositionPatient
  ImageOrientationPatient FrameOfReferenceUID KVP MagneticFieldStrength EchoTime RepetitionTime, and for
  SEG "SegmentSequence.SegmentAlgorithmType" (list, one per segment).
  A reference: level "instance" for ReferencedSOPInstanceUID (target an instance), "series" for a
  SeriesInstanceUID inside a reference sequence item, "study" for a StudyInstanceUID inside one and for
  RTReferencedStudySequence's ReferencedSOPInstanceUID (SOP class 1.2.840.10008.3.1.2.3.1); path: the
  keywords of the sequences from the top of the dataset to the item holding the UID, joined with ">";
  dangling: the target exists in no generated file (at that level). An object's reference to its own
  study (evidence, RT study) is listed too (level study, crossStudy false).

Loading (after writing, or of an existing OUT with --load-only): --load-orthanc POSTs every file to
URL/instances (kept-alive connections, --threads threads, no "Expect: 100-continue"); --load-stow sends
STOW-RS multipart/related batches (--stow-batch instances) to URL/studies (a DICOMweb base such as
http://127.0.0.1:8080/sidecar/dicomweb). Either prints a JSON summary and fails (exit 1) if any instance
was refused.

Usage:
  generate_dataset.py --out DIR [--seed TEXT] [--studies N] [--instances N] [--check] [--write-threads 2]
                      [--load-orthanc URL] [--load-stow URL] [--threads 4] [--stow-batch 50] [--load-only]
  --studies alone: N studies with 10-60 instances per image series; --instances alone: about N/68 studies
  (at least 20 when N allows), series sizes scaled; both: that many studies, series sizes scaled so that the
  total is N. The total is made exactly N where the sizes allow (at least one instance per series).
  An OUT that holds files but no manifest of this generator is refused; a previous output is replaced.
  Prints one JSON line (counts, seconds, instancesPerSecond), and one per load.
"""
import argparse
import base64
import datetime
import hashlib
import http.client
import json
import math
import os
import queue
import random
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from array import array
from io import BytesIO

import pydicom
from pydicom.charset import default_encoding
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset, validate_file_meta
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import dcmwrite, write_dataset
from pydicom.uid import ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID

GENERATOR = "dicom-sidecar generate_dataset.py"
FORMAT_VERSION = 1

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
SEG = "1.2.840.10008.5.1.4.1.1.66.4"
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
KOS = "1.2.840.10008.5.1.4.1.1.88.59"
RTSTRUCT = "1.2.840.10008.5.1.4.1.1.481.3"
GSPS = "1.2.840.10008.5.1.4.1.1.11.1"
DETACHED_STUDY = "1.2.840.10008.3.1.2.3.1"

# average instances per study at scale 1 (1.9 image series x 35, plus ~1.5 other objects): sizes --instances
EXPECTED_PER_STUDY = 68.0
SERIES_SIZE = (10, 60)

# attributes recorded per instance in the manifest, in this order (when present in the written dataset)
ATTRIBUTES = ["PatientID", "PatientName", "PatientSex", "PatientAge", "PatientBirthDate", "StudyDate",
              "StudyTime", "AccessionNumber", "StudyDescription", "BodyPartExamined", "Manufacturer",
              "ManufacturerModelName", "SeriesDescription", "SeriesNumber", "InstanceNumber", "Rows", "Columns",
              "NumberOfFrames", "PixelSpacing", "SliceThickness", "ImagePositionPatient",
              "ImageOrientationPatient", "FrameOfReferenceUID", "KVP", "MagneticFieldStrength", "EchoTime",
              "RepetitionTime"]
SEG_TYPES_KEY = "SegmentSequence.SegmentAlgorithmType"
STUDY_KEYS = ["PatientID", "PatientName", "PatientSex", "PatientAge", "PatientBirthDate", "StudyDate",
              "StudyTime", "AccessionNumber", "StudyDescription"]

# ---------------------------------------------------------------------------------------------------------
# vocabularies

BODY_PARTS = [("CHEST", 30), ("ABDOMEN", 25), ("HEAD", 20), ("PELVIS", 12), ("KNEE", 13)]
CT_SHARE = {"HEAD": 0.6, "CHEST": 0.95, "ABDOMEN": 0.8, "PELVIS": 0.6, "KNEE": 0.2}
STUDY_DESCRIPTIONS = {
    ("CT", "HEAD"): ["CT HEAD WITHOUT CONTRAST", "CT HEAD WITH CONTRAST", "CT ANGIO HEAD"],
    ("CT", "CHEST"): ["CT CHEST WITH CONTRAST", "CT CHEST WITHOUT CONTRAST", "CT CHEST LOW DOSE SCREENING"],
    ("CT", "ABDOMEN"): ["CT ABDOMEN PELVIS WITH CONTRAST", "CT ABDOMEN WITHOUT CONTRAST", "CT LIVER 3 PHASE"],
    ("CT", "PELVIS"): ["CT PELVIS WITH CONTRAST", "CT PELVIS WITHOUT CONTRAST"],
    ("CT", "KNEE"): ["CT KNEE LEFT", "CT KNEE RIGHT"],
    ("MR", "HEAD"): ["MR BRAIN WITH AND WITHOUT CONTRAST", "MR BRAIN WITHOUT CONTRAST"],
    ("MR", "CHEST"): ["MR CHEST", "MR CARDIAC FUNCTION"],
    ("MR", "ABDOMEN"): ["MR ABDOMEN LIVER", "MR PANCREAS MRCP"],
    ("MR", "PELVIS"): ["MR PELVIS PROSTATE", "MR PELVIS WITH CONTRAST"],
    ("MR", "KNEE"): ["MR KNEE LEFT", "MR KNEE RIGHT"],
}
# (manufacturer, model, weight, field strength for MR); TOSHIBA before mid-2018, Canon after (the rename)
CT_SCANNERS = [("GE MEDICAL SYSTEMS", "Revolution CT", 10), ("GE MEDICAL SYSTEMS", "LightSpeed VCT", 8),
               ("GE MEDICAL SYSTEMS", "Discovery CT750 HD", 6), ("SIEMENS", "SOMATOM Force", 10),
               ("SIEMENS", "SOMATOM Definition AS+", 8), ("SIEMENS", "SOMATOM go.Top", 4),
               ("Philips", "IQon Spectral CT", 7), ("Philips", "Brilliance 64", 6), ("Philips", "Ingenuity CT", 4),
               ("TOSHIBA", "Aquilion", 6), ("TOSHIBA", "Aquilion PRIME", 5),
               ("Canon Medical Systems", "Aquilion ONE", 7), ("Canon Medical Systems", "Aquilion Prime SP", 5)]
MR_SCANNERS = [("GE MEDICAL SYSTEMS", "SIGNA Premier", 3.0, 8), ("GE MEDICAL SYSTEMS", "Optima MR450w", 1.5, 6),
               ("GE MEDICAL SYSTEMS", "DISCOVERY MR750", 3.0, 5), ("SIEMENS", "MAGNETOM Vida", 3.0, 8),
               ("SIEMENS", "Skyra", 3.0, 6), ("SIEMENS", "Aera", 1.5, 8), ("SIEMENS", "MAGNETOM Sola", 1.5, 5),
               ("Philips", "Ingenia", 1.5, 7), ("Philips", "Ingenia", 3.0, 5), ("Philips", "Achieva", 1.5, 5),
               ("TOSHIBA", "Vantage Titan", 1.5, 4), ("Canon Medical Systems", "Vantage Orian", 1.5, 5),
               ("Canon Medical Systems", "Vantage Galan 3T", 3.0, 3)]
CT_KERNELS = {"GE MEDICAL SYSTEMS": ["STANDARD", "BONE", "LUNG", "SOFT"], "SIEMENS": ["Br40", "Br64", "Bl57", "Hr38"],
              "Philips": ["B", "C", "L", "YC"], "TOSHIBA": ["FC08", "FC18", "FC52", "FC30"],
              "Canon Medical Systems": ["FC08", "FC18", "FC52", "FC30"]}
CT_SPACINGS = [("0.488281", 14), ("0.585938", 5), ("0.625", 12), ("0.683594", 6), ("0.703125", 12),
               ("0.742188", 6), ("0.78125", 10), ("0.820312", 5), ("0.869141", 4), ("0.9375", 5), ("0.976562", 10)]
CT_NON_SQUARE = [("0.5", "0.7"), ("0.7", "0.5"), ("0.488281", "0.625")]
NEAR_HALF = ["0.503906", "0.498047", "0.507812"]
MR_SPACINGS = [("0.429688", 6), ("0.46875", 8), ("0.5", 8), ("0.546875", 6), ("0.625", 8), ("0.703125", 8),
               ("0.78125", 8), ("0.859375", 6), ("0.9375", 8), ("1", 6), ("1.09375", 4), ("1.171875", 4)]
MR_NON_SQUARE = [("0.46875", "0.625"), ("0.5", "0.7"), ("0.625", "0.9375"), ("0.78125", "1.171875")]
CT_THICKNESS = [("0.5", 8), ("0.625", 14), ("1", 18), ("1.25", 12), ("2", 8), ("2.5", 10), ("3", 12), ("5", 18)]
MR_THICKNESS = [("1", 12), ("2", 10), ("2.5", 6), ("3", 35), ("5", 37)]
KVPS = [("80", 5), ("100", 25), ("120", 60), ("140", 10)]
AXIAL, CORONAL, SAGITTAL = ("1", "0", "0", "0", "1", "0"), ("1", "0", "0", "0", "0", "-1"), ("0", "1", "0", "0", "0", "-1")
# MR protocols: (SeriesDescription, ScanningSequence, SequenceVariant, ScanOptions, MRAcquisitionType,
#                TR range ms, TE range ms, flip angle, orientation, echo train length)
MR_PROTOCOLS = {
    "HEAD": [("t1_mprage_sag_iso", "GR\\IR", "SK\\SP\\MP", "", "3D", (1900, 2300), (2.2, 3.4), 9, SAGITTAL, 1),
             ("t2_tse_tra", "SE", "SK\\SP", "", "2D", (4000, 6500), (85, 110), 150, AXIAL, 15),
             ("t2_flair_tra", "SE\\IR", "SK\\SP\\MP", "", "2D", (8000, 9500), (80, 95), 150, AXIAL, 16),
             ("ep2d_diff_tra", "EP", "SK\\SP", "FS", "2D", (4500, 6000), (60, 90), 90, AXIAL, 1)],
    "CHEST": [("haste_tra", "SE", "SK", "PFP", "2D", (1000, 1400), (85, 95), 160, AXIAL, 128),
              ("trufi_cine_sax", "GR", "SS", "", "2D", (35, 45), (1.2, 1.6), 60, CORONAL, 1)],
    "ABDOMEN": [("t2_haste_cor", "SE", "SK", "PFP", "2D", (1100, 1500), (80, 95), 160, CORONAL, 128),
                ("t1_vibe_dixon_tra", "GR", "SP", "", "3D", (3.5, 6.0), (1.2, 2.5), 9, AXIAL, 1),
                ("ep2d_diff_b50_800_tra", "EP", "SK\\SP", "FS", "2D", (4000, 7000), (55, 75), 90, AXIAL, 1)],
    "PELVIS": [("t2_tse_tra", "SE", "SK\\SP", "", "2D", (3500, 6000), (95, 110), 150, AXIAL, 20),
               ("t2_tse_sag", "SE", "SK\\SP", "", "2D", (3500, 6000), (95, 110), 150, SAGITTAL, 20),
               ("ep2d_diff_tra", "EP", "SK\\SP", "FS", "2D", (3500, 5500), (60, 80), 90, AXIAL, 1)],
    "KNEE": [("pd_tse_fs_sag", "SE", "SK\\SP", "FS", "2D", (2800, 4200), (28, 40), 150, SAGITTAL, 7),
             ("pd_tse_fs_cor", "SE", "SK\\SP", "FS", "2D", (2800, 4200), (28, 40), 150, CORONAL, 7),
             ("t1_tse_cor", "SE", "SK\\SP", "", "2D", (450, 800), (9, 14), 150, CORONAL, 3),
             ("t2_me2d_tra", "GR", "SP", "", "2D", (600, 900), (15, 22), 30, AXIAL, 1)],
}
# segment kinds per body part: (label, category code, type code)
ORGAN = ("123037004", "SCT", "Anatomical Structure")
LESION = ("49755003", "SCT", "Morphologically Altered Structure")
SEGMENTS = {
    "HEAD": [("Brain", ORGAN, ("12738006", "SCT", "Brain")), ("Tumor", LESION, ("108369006", "SCT", "Neoplasm"))],
    "CHEST": [("Lung", ORGAN, ("39607008", "SCT", "Lung")), ("Nodule", LESION, ("27925004", "SCT", "Nodule")),
              ("Heart", ORGAN, ("80891009", "SCT", "Heart"))],
    "ABDOMEN": [("Liver", ORGAN, ("10200004", "SCT", "Liver")), ("Kidney", ORGAN, ("64033007", "SCT", "Kidney")),
                ("Lesion", LESION, ("108369006", "SCT", "Neoplasm"))],
    "PELVIS": [("Prostate", ORGAN, ("41216001", "SCT", "Prostate")),
               ("Bladder", ORGAN, ("89837001", "SCT", "Urinary bladder"))],
    "KNEE": [("Femur", ORGAN, ("71341001", "SCT", "Femur")), ("Effusion", LESION, ("8177000", "SCT", "Joint effusion"))],
}
ALGORITHM_TYPES = [("MANUAL", 35), ("SEMIAUTOMATIC", 25), ("AUTOMATIC", 40)]
SEG_TOOLS = {"MANUAL": ("Synthetic Imaging Lab", "ManualSeg Studio", "4.2"),
             "SEMIAUTOMATIC": ("Synthetic Imaging Lab", "ManualSeg Studio", "4.2"),
             "AUTOMATIC": ("Synthetic AI Systems", "AutoSeg Engine", "2.1.0")}
FINDINGS = {"HEAD": ["No acute intracranial abnormality.", "Small left frontal lesion, see images."],
            "CHEST": ["Solid nodule in the right upper lobe, 6 mm.", "No pulmonary embolism."],
            "ABDOMEN": ["Hypodense liver lesion in segment VII.", "Kidneys unremarkable."],
            "PELVIS": ["Focal lesion in the peripheral zone.", "Bladder wall normal."],
            "KNEE": ["Joint effusion, no fracture.", "Degenerative changes of the medial meniscus."]}
ROI_NAMES = {"HEAD": ["BODY", "Brainstem", "GTV"], "CHEST": ["BODY", "Lung_L", "Lung_R", "PTV"],
             "ABDOMEN": ["BODY", "Liver", "Kidney_L", "PTV"], "PELVIS": ["BODY", "Bladder", "Rectum", "PTV"],
             "KNEE": ["BODY", "GTV"]}
INSTITUTIONS = ["Synthetic General Hospital", "Synthetic University Clinic", "Synthetic Imaging Center"]


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def fmt(x, decimals=4):
    """A DS value as written: fixed point, trailing zeros stripped, at most 16 characters."""
    s = ("%.*f" % (decimals, x)).rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def code(value, scheme, meaning):
    c = Dataset()
    c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning = value, scheme, meaning
    return c


class Uids:
    """Deterministic UIDs under 2.25 (PS3.5 B.2): a name-based UUID (v5) per (seed, parts)."""

    def __init__(self, seed):
        self.ns = uuid.uuid5(uuid.NAMESPACE_URL, "urn:dicom-sidecar:dataset:" + seed)

    def __call__(self, *parts):
        return "2.25.%d" % uuid.uuid5(self.ns, "/".join(map(str, parts))).int


# ---------------------------------------------------------------------------------------------------------
# plan: every decision is drawn here, per study from its own random stream


class SeriesPlan:
    pass


class StudyPlan:
    pass


def plan_dataset(seed, n_studies, target, scale):
    uids = Uids(seed)
    tag = hashlib.sha256(seed.encode()).hexdigest()[:4].upper()
    lo, hi = max(1, round(SERIES_SIZE[0] * scale)), max(1, round(SERIES_SIZE[1] * scale))
    studies, patients = [], []
    for s in range(n_studies):
        rng = random.Random("%s/study/%d" % (seed, s))
        st = StudyPlan()
        st.index, st.uid, st.dir = s, uids("study", s), "st%04d" % (s + 1)
        st.prior = None
        force_cross = s > 0 and s == n_studies - 1 and not any(x.cross for x in studies)
        if s > 0 and (rng.random() < 0.15 or force_cross):
            st.prior = studies[rng.randrange(s)]
        if st.prior is not None:
            st.patient = st.prior.patient
            st.body, st.modality = st.prior.body, st.prior.modality
            st.date = min(st.prior.date + datetime.timedelta(days=rng.randrange(30, 1200)), datetime.date(2025, 12, 31))
        else:
            n = len(patients) + 1
            birth = datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(0, 70 * 365))
            st.patient = {"id": "SYN%s-P%04d" % (tag, n), "name": "SYNTHETIC^P%04d" % n,
                          "sex": "O" if rng.random() < 0.01 else rng.choice("FM"), "birth": birth}
            patients.append(st.patient)
            st.body = weighted(rng, BODY_PARTS)
            st.modality = "CT" if rng.random() < CT_SHARE[st.body] else "MR"
            st.date = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(0, 4017))
        birth = st.patient["birth"]
        if birth >= st.date - datetime.timedelta(days=18 * 365):  # adults only
            birth = st.date - datetime.timedelta(days=18 * 365 + rng.randrange(0, 60 * 365))
            st.patient["birth"] = birth
        st.age = (st.date - birth).days // 365
        st.time = "%02d%02d%02d" % (rng.randrange(7, 20), rng.randrange(60), rng.randrange(60))
        st.accession = "A%s%06d" % (tag, s + 1)
        st.description = rng.choice(STUDY_DESCRIPTIONS[(st.modality, st.body)])
        st.institution = rng.choice(INSTITUTIONS)
        st.referrer = "" if rng.random() < 0.2 else "REFERRER^R%02d" % rng.randrange(1, 40)
        late = st.date >= datetime.date(2018, 7, 1)
        if st.modality == "CT":
            scanners = [(m, mo, None) for m, mo, w in CT_SCANNERS for _ in range(w)
                        if not (m == "TOSHIBA" and late) and not (m == "Canon Medical Systems" and not late)]
        else:
            scanners = [(m, mo, f) for m, mo, f, w in MR_SCANNERS for _ in range(w)
                        if not (m == "TOSHIBA" and late) and not (m == "Canon Medical Systems" and not late)]
        st.manufacturer, st.model, st.field = rng.choice(scanners)
        st.serial = "%05d" % rng.randrange(100000)
        st.laterality = rng.choice("LR") if st.body == "KNEE" else None
        n_series = weighted(rng, [(1, 35), (2, 40), (3, 25)])
        st.series = []
        st.protocol_offset = rng.randrange(len(MR_PROTOCOLS[st.body]))  # MR series of a study: distinct protocols
        for k in range(n_series):
            st.series.append(plan_image_series(rng, uids, st, k, lo, hi))
        st.frame_uid = uids("frame-of-reference", s)
        # other objects
        st.n_seg = 0 if rng.random() >= 0.6 else (2 if rng.random() < 0.15 else 1)
        st.has_sr = rng.random() < 0.4
        st.has_rt = rng.random() < 0.25
        st.has_pr = rng.random() < 0.15
        st.has_ko = rng.random() < 0.05
        st.cross = None
        if st.prior is not None and (rng.random() < 0.6 or force_cross):
            st.cross = "sr" if st.has_sr and rng.random() < 0.5 else "ko"
        st.dangling = None
        if rng.random() < 0.04:
            st.dangling = "instance" if (st.n_seg or st.has_sr or st.has_pr or st.has_ko) and rng.random() < 0.7 else "study"
        studies.append(st)
    if n_studies >= 3 and not any(st.dangling for st in studies):
        studies[n_studies // 2].dangling = "study"
    for st in studies:
        st.objects = st.n_seg + st.has_sr + st.has_rt + st.has_pr + (st.has_ko or st.cross == "ko" or st.dangling == "study")
    if target:
        fit_total(seed, studies, target)
    for st in studies:
        for se in st.series:
            se.sops = [uids("sop", st.index, se.index, i) for i in range(se.count)]
    return studies


def plan_image_series(rng, uids, st, k, lo, hi):
    se = SeriesPlan()
    se.index, se.uid, se.modality = k, uids("series", st.index, k), st.modality
    se.sop_class = CT_IMAGE if st.modality == "CT" else MR_IMAGE
    se.count = rng.randint(lo, hi)
    se.number = k + 2 if st.modality == "CT" else k + 1
    se.rows = se.cols = 16 if rng.random() < 0.8 else 32
    if st.modality == "CT":
        r = rng.random()
        if r < 0.25:
            se.spacing = ("0.5", "0.5")
        elif r < 0.28:
            se.spacing = rng.choice(CT_NON_SQUARE)
        elif r < 0.31:
            v = rng.choice(NEAR_HALF)
            se.spacing = (v, v)
        else:
            v = weighted(rng, CT_SPACINGS)
            se.spacing = (v, v)
        se.thickness = weighted(rng, CT_THICKNESS)
        r = rng.random()
        plane, se.orientation = ("Axial", AXIAL) if r < 0.85 else ("Coronal", CORONAL) if r < 0.95 else ("Sagittal", SAGITTAL)
        se.kernel = rng.choice(CT_KERNELS[st.manufacturer])
        se.kvp = weighted(rng, KVPS)
        se.description = "%s %smm %s" % (plane, se.thickness, se.kernel)
        se.current = str(rng.randrange(80, 450))
    else:
        if rng.random() < 0.08:
            se.spacing = rng.choice(MR_NON_SQUARE)
        else:
            v = weighted(rng, MR_SPACINGS)
            se.spacing = (v, v)
        se.thickness = weighted(rng, MR_THICKNESS)
        p = MR_PROTOCOLS[st.body][(st.protocol_offset + k) % len(MR_PROTOCOLS[st.body])]
        (se.description, se.scanning, se.variant, se.options, se.acquisition, tr, te, se.flip,
         se.orientation, se.etl) = p
        se.tr = fmt(rng.uniform(*tr), 2)
        se.te = fmt(rng.uniform(*te), 2)
        if rng.random() < 0.15:
            se.rows, se.cols = 32, 16
    se.z0 = rng.uniform(-300.0, 100.0)
    se.variant_seed = rng.randrange(1 << 16)
    return se


def fit_total(seed, studies, target):
    """Adds or removes image instances, one per series at a time, so that the total is the target."""
    all_series = [se for st in studies for se in st.series]
    total = sum(se.count for se in all_series) + sum(st.objects for st in studies)
    diff = target - total
    random.Random(seed + "/fit").shuffle(all_series)
    while diff:
        changed = False
        for se in all_series:
            if diff > 0:
                se.count += 1
                diff -= 1
                changed = True
            elif diff < 0 and se.count > 1:
                se.count -= 1
                diff += 1
                changed = True
            if not diff:
                break
        if not changed:
            break


# ---------------------------------------------------------------------------------------------------------
# writing


def new_dataset(sop_class, sop_uid):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_uid
    return ds


def patient_study(ds, st):
    ds.PatientName = st.patient["name"]
    ds.PatientID = st.patient["id"]
    ds.PatientBirthDate = st.patient["birth"].strftime("%Y%m%d")
    ds.PatientSex = st.patient["sex"]
    ds.PatientAge = "%03dY" % st.age
    ds.StudyInstanceUID = st.uid
    ds.StudyDate = st.date.strftime("%Y%m%d")
    ds.StudyTime = st.time
    ds.ReferringPhysicianName = st.referrer
    ds.StudyID = str(st.index + 1)
    ds.AccessionNumber = st.accession
    ds.StudyDescription = st.description
    ds.InstitutionName = st.institution


def series_header(ds, st, series_uid, modality, number, description, date, time_):
    ds.Modality = modality
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = str(number)
    ds.SeriesDescription = description
    ds.SeriesDate, ds.SeriesTime = date, time_
    ds.InstanceNumber = "1"
    ds.ContentDate, ds.ContentTime = date, time_
    ds.InstanceCreationDate, ds.InstanceCreationTime = date, time_


def add_time(hhmmss, minutes):
    t = int(hhmmss[:2]) * 60 + int(hhmmss[2:4]) + minutes
    return "%02d%02d%s" % (min(23, t // 60), t % 60 if t // 60 < 24 else 59, hhmmss[4:6])


def geometry(se, i):
    """ImagePositionPatient (strings) and SliceLocation of slice i."""
    o = [float(v) for v in se.orientation]
    row, col = o[:3], o[3:]
    normal = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]]
    w, h = se.cols * float(se.spacing[1]), se.rows * float(se.spacing[0])
    step = float(se.thickness)
    d = se.z0 + i * step
    pos = [-w / 2 * row[j] - h / 2 * col[j] + d * normal[j] for j in range(3)]
    strs = [fmt(v) for v in pos]
    loc = fmt(sum(float(strs[j]) * normal[j] for j in range(3)))
    return strs, loc


_PIXELS = {}


def image_pixels(modality, rows, cols, variant):
    """A small 16-bit phantom (disc with a brighter core); 8 variants per size, chosen by slice."""
    key = (modality, rows, cols, variant)
    if key not in _PIXELS:
        bg, body, core = (24, 1064, 1324) if modality == "CT" else (5, 400, 700)
        cy, cx = (rows - 1) / 2, (cols - 1) / 2
        rb = 0.42 * min(rows, cols) * (0.85 + 0.15 * math.sin(variant))
        rc = 0.16 * min(rows, cols) * (1 + 0.4 * math.cos(variant * 0.7))
        px = array("H")
        for y in range(rows):
            for x in range(cols):
                d = math.hypot((x - cx) * rows / cols, y - cy)
                px.append((core if d < rc else body if d < rb else bg) + (x * 7 + y * 13 + variant * 5) % 16)
        if sys.byteorder != "little":
            px.byteswap()
        _PIXELS[key] = px.tobytes()
    return _PIXELS[key]


def encode_short(tag, vr, value, pad):
    if len(value) % 2:
        value += pad
    return struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr, len(value)) + value


def encode_long(tag, vr, value):
    if len(value) % 2:
        value += b"\0"
    return struct.pack("<HH2sxxI", tag >> 16, tag & 0xFFFF, vr, len(value)) + value


def encode_dataset(ds, encoding):
    fp = DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = True, False
    write_dataset(fp, ds, encoding or default_encoding)
    return fp.getvalue()


class SeriesWriter:
    """Encodes a series' template once with pydicom; per instance only the varying elements are encoded here.

    Varying: (0002,0003) MediaStorageSOPInstanceUID, (0008,0018) SOPInstanceUID, (0020,0013) InstanceNumber,
    (0020,0032) ImagePositionPatient, (0020,1041) SliceLocation, (7FE0,0010) PixelData (last element).
    """
    VARYING = (0x00080018, 0x00200013, 0x00200032, 0x00201041)

    def __init__(self, ds):
        validate_file_meta(ds.file_meta, enforce_standard=True)
        meta = Dataset()
        for elem in ds.file_meta:
            if elem.tag not in (0x00020000,):
                meta.add(elem)
        before, after = Dataset(), Dataset()
        for elem in meta:
            if elem.tag < 0x00020003:
                before.add(elem)
            elif elem.tag > 0x00020003:
                after.add(elem)
        self.meta_before, self.meta_after = encode_dataset(before, None), encode_dataset(after, None)
        encoding = ds.SpecificCharacterSet
        self.chunks, run = [], Dataset()
        for elem in ds:
            if elem.tag == 0x7FE00010:
                continue
            if elem.tag in self.VARYING:
                self.chunks.append(encode_dataset(run, encoding))
                run = Dataset()
            else:
                run.add(elem)
        self.chunks.append(encode_dataset(run, encoding))
        assert len(self.chunks) == len(self.VARYING) + 1

    def encode(self, sop, number, position, location, pixel_element):
        uid = sop.encode()
        meta = self.meta_before + encode_short(0x00020003, b"UI", uid, b"\0") + self.meta_after
        c = self.chunks
        return b"".join((b"\0" * 128, b"DICM", struct.pack("<HH2sHI", 2, 0, b"UL", 4, len(meta)), meta,
                         c[0], encode_short(0x00080018, b"UI", uid, b"\0"),
                         c[1], encode_short(0x00200013, b"IS", str(number).encode(), b" "),
                         c[2], encode_short(0x00200032, b"DS", "\\".join(position).encode(), b" "),
                         c[3], encode_short(0x00201041, b"DS", location.encode(), b" "),
                         c[4], pixel_element))


def json_value(elem):
    v = elem.value
    if v is None or v == "" or (elem.VR == "SQ"):
        return None
    multi = isinstance(v, (list, tuple, pydicom.multival.MultiValue))
    values = list(v) if multi else [v]
    if elem.VR == "DS":
        values = [float(x) for x in values]
    elif elem.VR in ("IS", "US", "UL", "SS", "SL"):
        values = [int(x) for x in values]
    else:
        values = [str(x) for x in values]
    return values if multi else values[0]


def attributes_of(ds):
    out = {}
    for k in ATTRIBUTES:
        if k in ds:
            v = json_value(ds[k])
            if v is not None:
                out[k] = v
    if "SegmentSequence" in ds:
        out[SEG_TYPES_KEY] = [str(item.SegmentAlgorithmType) for item in ds.SegmentSequence]
    return out


def collect_references(ds, path=()):
    """(path, level, target, attribute, target SOP class) of every UID inside a sequence item."""
    out = []
    for elem in ds:
        if elem.VR != "SQ":
            continue
        p = path + (elem.keyword,)
        ps = ">".join(p)
        for item in elem.value:
            if "ReferencedSOPInstanceUID" in item:
                cls = str(item.ReferencedSOPClassUID) if "ReferencedSOPClassUID" in item else None
                out.append((ps, "study" if cls == DETACHED_STUDY else "instance", str(item.ReferencedSOPInstanceUID),
                            "ReferencedSOPInstanceUID", cls))
            if "SeriesInstanceUID" in item:
                out.append((ps, "series", str(item.SeriesInstanceUID), "SeriesInstanceUID", None))
            if "StudyInstanceUID" in item:
                out.append((ps, "study", str(item.StudyInstanceUID), "StudyInstanceUID", None))
            out.extend(collect_references(item, p))
    return out


class Writer:
    def __init__(self, out, check, threads=4):
        self.out, self.check = out, check
        self.instance_lines, self.instances_by_sop = [], {}
        self.series, self.refs = [], []
        self.bytes = 0
        self.checked = set()
        # files are written by a few threads while the main thread encodes (creating a file costs the kernel
        # far more than encoding it here, and creates in different folders proceed in parallel)
        self.queue, self.errors = queue.Queue(maxsize=512), []
        self.threads = [threading.Thread(target=self.drain, daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def drain(self):
        while True:
            item = self.queue.get()
            if item is None:
                return
            try:
                with open(item[0], "wb") as f:
                    f.write(item[1])
            except OSError as e:
                self.errors.append(str(e))

    def write_file(self, rel, data):
        if self.threads:
            self.queue.put((os.path.join(self.out, rel), data))
        else:
            with open(os.path.join(self.out, rel), "wb") as f:
                f.write(data)
        self.bytes += len(data)

    def close(self):
        for _ in self.threads:
            self.queue.put(None)
        for t in self.threads:
            t.join()
        if self.errors:
            raise SystemExit("writing failed: %s (and %d more)" % (self.errors[0], len(self.errors) - 1))

    def record(self, st, series_uid, sop, sop_class, modality, rel, attrs, shared=None):
        """One manifest line; `shared`: the attributes to keep for the summaries (a series' common ones)."""
        rec = {"study": st.uid, "series": series_uid, "sop": sop, "sopClass": sop_class, "modality": modality,
               "file": rel}
        rec.update(attrs)
        self.instance_lines.append(json.dumps(rec, separators=(",", ":")))
        self.instances_by_sop[sop] = (st.uid, series_uid, modality, shared if shared is not None else attrs)

    # image series ------------------------------------------------------------------------------------
    def image_series(self, st, se):
        rel_dir = "%s/se%02d-%s" % (st.dir, se.index + 1, se.modality)
        se.dir = rel_dir
        os.makedirs(os.path.join(self.out, rel_dir), exist_ok=True)
        ds = new_dataset(se.sop_class, se.sops[0])
        ct = se.modality == "CT"
        if not ct:
            ds.ImageType = ["ORIGINAL", "PRIMARY", "OTHER"]
        elif se.orientation == AXIAL:
            ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        else:
            ds.ImageType = ["DERIVED", "SECONDARY", "OTHER"]
        patient_study(ds, st)
        series_time = add_time(st.time, 2 + 4 * se.index)
        date = st.date.strftime("%Y%m%d")
        series_header(ds, st, se.uid, se.modality, se.number, se.description, date, series_time)
        ds.AcquisitionDate, ds.AcquisitionTime = date, series_time
        ds.Manufacturer, ds.ManufacturerModelName = st.manufacturer, st.model
        ds.DeviceSerialNumber, ds.SoftwareVersions = st.serial, "syn-%d.%d" % (st.index % 7 + 1, se.index)
        ds.StationName = "%s%02d" % (se.modality, st.index % 5 + 1)
        ds.BodyPartExamined = st.body
        if st.laterality:
            ds.Laterality = st.laterality
        ds.PatientPosition = "FFS" if st.body in ("KNEE", "PELVIS") and not ct else "HFS"
        ds.SliceThickness = se.thickness
        if ct:
            ds.KVP = se.kvp
            ds.XRayTubeCurrent = se.current
            ds.ConvolutionKernel = se.kernel
            ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "-1024", "1", "HU"
            ds.WindowCenter, ds.WindowWidth = ("40", "80") if st.body == "HEAD" else ("40", "400")
        else:
            ds.ScanningSequence, ds.SequenceVariant = se.scanning.split("\\"), se.variant.split("\\")
            ds.ScanOptions = se.options.split("\\") if se.options else ""
            ds.MRAcquisitionType = se.acquisition
            ds.SequenceName = "*" + se.description.split("_")[0]
            ds.RepetitionTime, ds.EchoTime, ds.EchoTrainLength = se.tr, se.te, str(se.etl)
            if "IR" in ds.ScanningSequence:
                ds.InversionTime = "900" if se.acquisition == "3D" else "2500"
            ds.ImagingFrequency = fmt(42.577478 * st.field, 6)
            ds.ImagedNucleus = "1H"
            ds.MagneticFieldStrength = fmt(st.field, 1)
            ds.SpacingBetweenSlices = se.thickness
            ds.FlipAngle = str(se.flip)
            ds.WindowCenter, ds.WindowWidth = "350", "700"
        ds.AcquisitionNumber = "1"
        position, location = geometry(se, 0)
        ds.ImagePositionPatient = position
        ds.ImageOrientationPatient = list(se.orientation)
        ds.FrameOfReferenceUID = st.frame_uid
        ds.PositionReferenceIndicator = ""
        ds.SliceLocation = location
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = se.rows, se.cols
        ds.PixelSpacing = list(se.spacing)
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        pixels = [image_pixels(se.modality, se.rows, se.cols, v) for v in range(8)]
        ds.add(DataElement(0x7FE00010, "OW", pixels[0]))
        writer = SeriesWriter(ds)
        pixel_elements = [encode_long(0x7FE00010, b"OW", p) for p in pixels]
        attrs = attributes_of(ds)
        modality = se.modality
        for i, sop in enumerate(se.sops):
            position, location = geometry(se, i)
            variant = (i + se.variant_seed) % 8
            data = writer.encode(sop, i + 1, position, location, pixel_elements[variant])
            if i == 0 and (self.check or (modality, se.rows, se.cols) not in self.checked):
                self.checked.add((modality, se.rows, se.cols))
                ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = sop
                ds.InstanceNumber, ds.ImagePositionPatient, ds.SliceLocation = str(i + 1), position, location
                ds.PixelData = pixels[variant]
                expected = BytesIO()
                dcmwrite(expected, ds, write_like_original=False)
                if expected.getvalue() != data:
                    raise SystemExit("internal error: fast encoding differs from dcmwrite for " + rel_dir)
            rel = "%s/%04d.dcm" % (rel_dir, i + 1)
            self.write_file(rel, data)
            a = dict(attrs)
            a["InstanceNumber"] = i + 1
            a["ImagePositionPatient"] = [float(v) for v in position]
            self.record(st, se.uid, sop, se.sop_class, modality, rel, a, shared=attrs)
        self.series.append({"series": se.uid, "study": st.uid, "dir": rel_dir, "modality": modality,
                            "sopClass": se.sop_class, "instances": len(se.sops),
                            **{k: v for k, v in attrs.items() if k not in ("InstanceNumber", "ImagePositionPatient")}})

    # other objects -----------------------------------------------------------------------------------
    def other_object(self, st, ds, number):
        rel_dir = "%s/se%02d-%s" % (st.dir, number, ds.Modality)
        os.makedirs(os.path.join(self.out, rel_dir), exist_ok=True)
        rel = rel_dir + "/0001.dcm"
        buf = BytesIO()
        dcmwrite(buf, ds, write_like_original=False)
        self.write_file(rel, buf.getvalue())
        attrs = attributes_of(ds)
        sop = str(ds.SOPInstanceUID)
        self.record(st, str(ds.SeriesInstanceUID), sop, str(ds.SOPClassUID), str(ds.Modality), rel, attrs)
        self.series.append({"series": str(ds.SeriesInstanceUID), "study": st.uid, "dir": rel_dir,
                            "modality": str(ds.Modality), "sopClass": str(ds.SOPClassUID), "instances": 1,
                            **{k: v for k, v in attrs.items() if k not in ("InstanceNumber",)}})
        seen = set()
        for path, level, target, attribute, cls in collect_references(ds):
            key = (path, level, target, attribute)
            if key in seen:
                continue
            seen.add(key)
            self.refs.append({"source": sop, "sourceStudy": st.uid, "sourceModality": str(ds.Modality),
                              "target": target, "level": level, "path": path, "attribute": attribute,
                              "targetSopClass": cls})


def ref_item(sop_class, sop, purpose=False):
    item = Dataset()
    item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID = sop_class, sop
    if purpose:
        item.PurposeOfReferenceCodeSequence = [code("121322", "DCM", "Source image for image processing operation")]
    return item


def hierarchical(refs):
    """Hierarchical SOP Instance Reference items (per study: StudyInstanceUID, ReferencedSeriesSequence >
    SeriesInstanceUID, ReferencedSOPSequence) from [(study, series, sop class, sop)], order kept."""
    studies = {}
    for study, series, cls, sop in refs:
        studies.setdefault(study, {}).setdefault(series, [])
        if (cls, sop) not in studies[study][series]:
            studies[study][series].append((cls, sop))
    items = []
    for study, series_map in studies.items():
        item = Dataset()
        item.StudyInstanceUID = study
        item.ReferencedSeriesSequence = []
        for series, sops in series_map.items():
            s = Dataset()
            s.SeriesInstanceUID = series
            s.ReferencedSOPSequence = [ref_item(c, u) for c, u in sops]
            item.ReferencedSeriesSequence.append(s)
        items.append(item)
    return items


def derived_header(st, sop_class, sop, series_uid, modality, number, description, rng, manufacturer, model,
                   days_after=0, minutes_after=30):
    ds = new_dataset(sop_class, sop)
    patient_study(ds, st)
    date = (st.date + datetime.timedelta(days=days_after)).strftime("%Y%m%d")
    series_header(ds, st, series_uid, modality, number, description, date, add_time(st.time, minutes_after))
    ds.Manufacturer, ds.ManufacturerModelName = manufacturer, model
    ds.SoftwareVersions = "1.%d" % rng.randrange(10)
    return ds


def build_seg(st, k, number, rng, uids, dangling_sop):
    src = rng.choice(st.series)
    n_slices = min(src.count, rng.randint(3, 8))
    first = rng.randrange(src.count - n_slices + 1)
    slices = list(range(first, first + n_slices))
    kinds = SEGMENTS[st.body]
    t1 = weighted(rng, ALGORITHM_TYPES)
    types = [t1]
    if rng.random() < 0.15:
        types.append(rng.choice([t for t, _ in ALGORITHM_TYPES if t != t1]))
    path = weighted(rng, [("rss", 20), ("perframe", 20), ("shared", 15), ("source", 15), ("rss+perframe", 30)])
    manufacturer, model, version = SEG_TOOLS[t1]
    sop, series_uid = uids("seg", st.index, k), uids("seg-series", st.index, k)
    ds = derived_header(st, SEG, sop, series_uid, "SEG", number, "Segmentation %s %s" % (kinds[k % len(kinds)][0], t1.lower()),
                        rng, manufacturer, model, days_after=rng.randrange(0, 20), minutes_after=40 + 5 * k)
    ds.SoftwareVersions = version
    ds.DeviceSerialNumber = "SEG%04d" % rng.randrange(10000)
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.ContentLabel = "SEGMENTATION"
    ds.ContentDescription = "Synthetic segmentation"
    ds.ContentCreatorName = "ANALYST^A%02d" % rng.randrange(1, 20) if t1 != "AUTOMATIC" else ""
    ds.BodyPartExamined = st.body
    ds.FrameOfReferenceUID = st.frame_uid
    ds.PositionReferenceIndicator = ""
    ds.SegmentationType = "BINARY"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = src.rows, src.cols
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 1, 1, 0, 0
    ds.LossyImageCompression = "00"
    segments = []
    for n, t in enumerate(types, 1):
        label, category, prop = kinds[(n - 1 + k) % len(kinds)]
        s = Dataset()
        s.SegmentNumber = n
        s.SegmentLabel = label
        s.SegmentedPropertyCategoryCodeSequence = [code(*category)]
        s.SegmentedPropertyTypeCodeSequence = [code(*prop)]
        s.SegmentAlgorithmType = t
        if t != "MANUAL":
            s.SegmentAlgorithmName = SEG_TOOLS[t][1]
        s.RecommendedDisplayCIELabValue = [[53241, 38008, 51264], [21169, 52919, 24159]][(n - 1) % 2]
        segments.append(s)
    ds.SegmentSequence = segments
    dim_uid = uids("seg-dimension", st.index, k)
    org = Dataset()
    org.DimensionOrganizationUID = dim_uid
    ds.DimensionOrganizationSequence = [org]
    d1, d2 = Dataset(), Dataset()
    d1.DimensionOrganizationUID, d1.DimensionIndexPointer, d1.FunctionalGroupPointer = dim_uid, 0x0062000B, 0x0062000A
    d1.DimensionDescriptionLabel = "ReferencedSegmentNumber"
    d2.DimensionOrganizationUID, d2.DimensionIndexPointer, d2.FunctionalGroupPointer = dim_uid, 0x00200032, 0x00209113
    d2.DimensionDescriptionLabel = "ImagePositionPatient"
    ds.DimensionIndexSequence = [d1, d2]
    source_refs = [(src.sop_class, src.sops[i]) for i in slices]
    shared = Dataset()
    pm = Dataset()
    pm.PixelSpacing, pm.SliceThickness, pm.SpacingBetweenSlices = list(src.spacing), src.thickness, src.thickness
    shared.PixelMeasuresSequence = [pm]
    po = Dataset()
    po.ImageOrientationPatient = list(src.orientation)
    shared.PlaneOrientationSequence = [po]
    extra = [(src.sop_class, dangling_sop)] if dangling_sop else []

    def derivation(refs):
        d = Dataset()
        d.DerivationCodeSequence = [code("113076", "DCM", "Segmentation")]
        d.SourceImageSequence = [ref_item(c, u, purpose=True) for c, u in refs]
        return d

    if path == "shared":
        shared.DerivationImageSequence = [derivation(source_refs + extra)]
    ds.SharedFunctionalGroupsSequence = [shared]
    frames, bits = [], []
    for n in range(1, len(types) + 1):
        for j, i in enumerate(slices):
            f = Dataset()
            fc = Dataset()
            fc.DimensionIndexValues = [n, j + 1]
            f.FrameContentSequence = [fc]
            pp = Dataset()
            pp.ImagePositionPatient = geometry(src, i)[0]
            f.PlanePositionSequence = [pp]
            si = Dataset()
            si.ReferencedSegmentNumber = n
            f.SegmentIdentificationSequence = [si]
            if "perframe" in path:
                f.DerivationImageSequence = [derivation([(src.sop_class, src.sops[i])] + (extra if j == 0 else []))]
            frames.append(f)
            bits.append(seg_frame(src.rows, src.cols, n, j, len(slices)))
    ds.PerFrameFunctionalGroupsSequence = frames
    ds.NumberOfFrames = len(frames)
    if "rss" in path:
        rs = Dataset()
        rs.SeriesInstanceUID = src.uid
        rs.ReferencedInstanceSequence = [ref_item(c, u) for c, u in source_refs + extra]
        ds.ReferencedSeriesSequence = [rs]
    if path == "source":
        ds.SourceImageSequence = [ref_item(c, u, purpose=True) for c, u in source_refs + extra]
    data = b"".join(bits)
    if len(data) % 2:
        data += b"\0"
    ds.add(DataElement(0x7FE00010, "OB", data))
    return ds, src


def seg_frame(rows, cols, segment, j, n):
    """One BINARY frame, pixels packed 8 per byte, first pixel in the lowest bit; frames are back to back."""
    cy, cx = (rows - 1) / 2 + (segment - 1) * rows / 6, (cols - 1) / 2
    r = min(rows, cols) * (0.15 + 0.2 * math.sin(math.pi * (j + 0.5) / n))
    bits = 0
    for y in range(rows):
        for x in range(cols):
            if math.hypot(x - cx, y - cy) < r:
                bits |= 1 << (y * cols + x)
    return bits.to_bytes((rows * cols + 7) // 8, "little")


def content_item(relationship, value_type, concept=None):
    item = Dataset()
    item.RelationshipType, item.ValueType = relationship, value_type
    if concept:
        item.ConceptNameCodeSequence = [code(*concept)]
    return item


def image_item(cls, sop, segment=None, named=True):
    item = content_item("CONTAINS", "IMAGE", ("121214", "DCM", "Referenced Segment") if segment
                        else ("121112", "DCM", "Source of Measurement") if named else None)
    r = ref_item(cls, sop)
    if segment:
        r.ReferencedSegmentNumber = segment
    item.ReferencedSOPSequence = [r]
    return item


def pick_images(rng, st, n):
    """[(study, series, class, sop)] of about n images from one or two image series of the study."""
    out = []
    chosen = rng.sample(st.series, min(len(st.series), rng.choice([1, 1, 2])))
    for j, se in enumerate(chosen):
        m = n - len(out) if j == len(chosen) - 1 else n // len(chosen)
        for i in sorted(rng.sample(range(se.count), max(1, min(m, se.count)))):
            out.append((st.uid, se.uid, se.sop_class, se.sops[i]))
    return out


def build_sr(st, number, rng, uids, seg, cross_prior, dangling_sop):
    sop, series_uid = uids("sr", st.index), uids("sr-series", st.index)
    ds = derived_header(st, COMPREHENSIVE_SR, sop, series_uid, "SR", number, "Imaging report", rng,
                        "Synthetic Reporting", "ReportWriter", days_after=rng.randrange(0, 3), minutes_after=90)
    ds.ReferencedPerformedProcedureStepSequence = []
    ds.CompletionFlag = "COMPLETE" if rng.random() < 0.8 else "PARTIAL"
    if ds.CompletionFlag == "COMPLETE" and rng.random() < 0.6:
        ds.VerificationFlag = "VERIFIED"
        v = Dataset()
        v.VerifyingObserverName = "RADIOLOGIST^R%02d" % rng.randrange(1, 30)
        v.VerifyingObserverIdentificationCodeSequence = []
        v.VerifyingOrganization = st.institution
        v.VerificationDateTime = str(ds.ContentDate) + str(ds.ContentTime)
        ds.VerifyingObserverSequence = [v]
    else:
        ds.VerificationFlag = "UNVERIFIED"
    ds.PerformedProcedureCodeSequence = []
    images = pick_images(rng, st, rng.randint(1, 4))
    if dangling_sop:
        images.append((st.uid, st.series[0].uid, st.series[0].sop_class, dangling_sop))
    refs = list(images)
    seg_ref = None
    if seg is not None and rng.random() < 0.5:
        seg_ref = (st.uid, str(seg.SeriesInstanceUID), SEG, str(seg.SOPInstanceUID))
    prior_refs = pick_images(rng, cross_prior, rng.randint(1, 2)) if cross_prior else []
    depth = weighted(rng, [(1, 35), (2, 45), ("mixed", 20)])
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = [code("18748-4", "LN", "Diagnostic imaging report")]
    ds.ContinuityOfContent = "SEPARATE"
    t = Dataset()
    t.MappingResource, t.TemplateIdentifier = "DCMR", "2000"
    ds.ContentTemplateSequence = [t]
    text = content_item("CONTAINS", "TEXT", ("121071", "DCM", "Finding"))
    text.TextValue = rng.choice(FINDINGS[st.body])
    image_items = [image_item(c, u) for _, _, c, u in images]
    if seg_ref:
        image_items.append(image_item(SEG, seg_ref[3], segment=1))
    prior_items = [image_item(c, u) for _, _, c, u in prior_refs]
    findings = content_item("CONTAINS", "CONTAINER", ("121070", "DCM", "Findings"))
    findings.ContinuityOfContent = "SEPARATE"
    if depth == 1:
        findings.ContentSequence = [text]
        top = [findings] + image_items
    elif depth == 2:
        findings.ContentSequence = [text] + image_items
        top = [findings]
    else:
        findings.ContentSequence = [text] + image_items[1:]
        top = [findings, image_items[0]]
    if prior_items:
        comparison = content_item("CONTAINS", "CONTAINER", ("121062", "DCM", "Comparison"))  # prior study
        comparison.ContinuityOfContent = "SEPARATE"
        comparison.ContentSequence = prior_items
        top.append(comparison)
    ds.ContentSequence = top
    ds.CurrentRequestedProcedureEvidenceSequence = hierarchical(refs + ([seg_ref] if seg_ref else []))
    if prior_refs:
        ds.PertinentOtherEvidenceSequence = hierarchical(prior_refs)
        ds.StudiesContainingOtherReferencedInstancesSequence = hierarchical(prior_refs)
    return ds


def build_ko(st, number, rng, uids, cross_prior, dangling):
    sop, series_uid = uids("ko", st.index), uids("ko-series", st.index)
    ds = derived_header(st, KOS, sop, series_uid, "KO", number, "Key images", rng, "Synthetic PACS", "KeyImageNotes",
                        days_after=rng.randrange(0, 2), minutes_after=120)
    ds.ReferencedPerformedProcedureStepSequence = []
    own = pick_images(rng, st, rng.randint(1, 3))
    other = []
    if cross_prior:
        other = pick_images(rng, cross_prior, rng.randint(1, 2))
    if dangling == "study":  # images of a prior study held elsewhere: not in this archive
        ms, mse = uids("missing-study", st.index), uids("missing-series", st.index)
        other += [(ms, mse, st.series[0].sop_class, uids("missing-sop", st.index, j)) for j in range(2)]
    elif dangling:
        own.append((st.uid, st.series[0].uid, st.series[0].sop_class, dangling))
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = [code("113000", "DCM", "Of Interest")]
    ds.ContinuityOfContent = "SEPARATE"
    t = Dataset()
    t.MappingResource, t.TemplateIdentifier = "DCMR", "2010"
    ds.ContentTemplateSequence = [t]
    text = content_item("CONTAINS", "TEXT", ("113012", "DCM", "Key Object Description"))
    text.TextValue = "Comparison with prior" if other else "Key images"
    ds.ContentSequence = [text] + [image_item(c, u, named=False) for _, _, c, u in own + other]
    ds.CurrentRequestedProcedureEvidenceSequence = hierarchical(own + other)
    if other:
        ds.StudiesContainingOtherReferencedInstancesSequence = hierarchical(other)
    return ds


def build_rt(st, number, rng, uids):
    src = rng.choice(st.series)
    sop, series_uid = uids("rtstruct", st.index), uids("rtstruct-series", st.index)
    ds = derived_header(st, RTSTRUCT, sop, series_uid, "RTSTRUCT", number, "RT structures", rng,
                        "Synthetic TPS", "PlanStation", days_after=rng.randrange(1, 15), minutes_after=60)
    for k in ("ContentDate", "ContentTime"):
        delattr(ds, k)
    ds.OperatorsName = ""
    ds.FrameOfReferenceUID = st.frame_uid
    ds.PositionReferenceIndicator = ""
    ds.StructureSetLabel = "RTSTRUCT%d" % (st.index + 1)
    ds.StructureSetName = "Synthetic plan structures"
    ds.StructureSetDate, ds.StructureSetTime = ds.SeriesDate, ds.SeriesTime
    images = [ref_item(src.sop_class, u) for u in src.sops]
    rse = Dataset()
    rse.SeriesInstanceUID = src.uid
    rse.ContourImageSequence = images
    rst = Dataset()
    rst.ReferencedSOPClassUID, rst.ReferencedSOPInstanceUID = DETACHED_STUDY, st.uid
    rst.RTReferencedSeriesSequence = [rse]
    rf = Dataset()
    rf.FrameOfReferenceUID = st.frame_uid
    rf.RTReferencedStudySequence = [rst]
    ds.ReferencedFrameOfReferenceSequence = [rf]
    names = ROI_NAMES[st.body][:rng.randint(1, len(ROI_NAMES[st.body]))]
    rois, contours, observations = [], [], []
    o = [float(v) for v in src.orientation]
    row, col = o[:3], o[3:]
    for n, name in enumerate(names, 1):
        r = Dataset()
        r.ROINumber, r.ReferencedFrameOfReferenceUID, r.ROIName = n, st.frame_uid, name
        r.ROIGenerationAlgorithm = "MANUAL" if rng.random() < 0.5 else "AUTOMATIC"
        rois.append(r)
        c = Dataset()
        c.ROIDisplayColor = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]][(n - 1) % 4]
        c.ReferencedROINumber = n
        items = []
        radius = (0.45 if name == "BODY" else 0.12 + 0.05 * n) * min(src.rows * float(src.spacing[0]),
                                                                      src.cols * float(src.spacing[1]))
        for j, i in enumerate(sorted(rng.sample(range(src.count), min(src.count, rng.randint(1, 3))))):
            pos = [float(v) for v in geometry(src, i)[0]]
            cx, cy = src.cols * float(src.spacing[1]) / 2, src.rows * float(src.spacing[0]) / 2
            points = []
            for a in range(8):
                u, v = cx + radius * math.cos(a * math.pi / 4), cy + radius * math.sin(a * math.pi / 4)
                points += [fmt(pos[d] + u * row[d] + v * col[d], 2) for d in range(3)]
            cs = Dataset()
            cs.ContourImageSequence = [ref_item(src.sop_class, src.sops[i])]
            cs.ContourGeometricType = "CLOSED_PLANAR"
            cs.NumberOfContourPoints = 8
            cs.ContourNumber = j + 1
            cs.ContourData = points
            items.append(cs)
        c.ContourSequence = items
        contours.append(c)
        ob = Dataset()
        ob.ObservationNumber, ob.ReferencedROINumber = n, n
        ob.RTROIInterpretedType = "EXTERNAL" if name == "BODY" else "PTV" if name == "PTV" else \
            "GTV" if name == "GTV" else "ORGAN"
        ob.ROIInterpreter = ""
        observations.append(ob)
    ds.StructureSetROISequence = rois
    ds.ROIContourSequence = contours
    ds.RTROIObservationsSequence = observations
    ds.ApprovalStatus = "UNAPPROVED"
    return ds


def build_pr(st, number, rng, uids, dangling_sop):
    src = rng.choice(st.series)
    sop, series_uid = uids("pr", st.index), uids("pr-series", st.index)
    ds = derived_header(st, GSPS, sop, series_uid, "PR", number, "Presentation state", rng, "Synthetic Viewer",
                        "ViewStation", days_after=rng.randrange(0, 5), minutes_after=75)
    for k in ("ContentDate", "ContentTime"):
        delattr(ds, k)
    ds.BodyPartExamined = st.body
    if st.laterality:
        ds.Laterality = st.laterality
    ds.ContentLabel = "ANNOTATION"
    ds.ContentDescription = "Window and annotation"
    ds.PresentationCreationDate, ds.PresentationCreationTime = ds.SeriesDate, ds.SeriesTime
    ds.ContentCreatorName = "RADIOLOGIST^R%02d" % rng.randrange(1, 30)
    chosen = sorted(rng.sample(range(src.count), min(src.count, rng.choice([1, 2, 3, 5]))))
    refs = [ref_item(src.sop_class, src.sops[i]) for i in chosen]
    if dangling_sop:
        refs.append(ref_item(src.sop_class, dangling_sop))
    rs = Dataset()
    rs.SeriesInstanceUID = src.uid
    rs.ReferencedImageSequence = refs
    ds.ReferencedSeriesSequence = [rs]
    da = Dataset()
    da.DisplayedAreaTopLeftHandCorner = [1, 1]
    da.DisplayedAreaBottomRightHandCorner = [src.cols, src.rows]
    da.PresentationSizeMode = "SCALE TO FIT"
    da.PresentationPixelAspectRatio = [1, 1]
    ds.DisplayedAreaSelectionSequence = [da]
    if rng.random() < 0.5:
        layer = Dataset()
        layer.GraphicLayer, layer.GraphicLayerOrder = "ANNOTATION", 1
        ds.GraphicLayerSequence = [layer]
        ga = Dataset()
        ga.ReferencedImageSequence = [ref_item(src.sop_class, src.sops[chosen[0]])]
        ga.GraphicLayer = "ANNOTATION"
        to = Dataset()
        to.UnformattedTextValue = "Finding"
        to.AnchorPointAnnotationUnits = "PIXEL"
        to.AnchorPoint = [src.cols / 2, src.rows / 2]
        to.AnchorPointVisibility = "N"
        to.BoundingBoxAnnotationUnits = "PIXEL"
        to.BoundingBoxTopLeftHandCorner = [2.0, 2.0]
        to.BoundingBoxBottomRightHandCorner = [float(src.cols - 2), 6.0]
        to.BoundingBoxTextHorizontalJustification = "LEFT"
        ga.TextObjectSequence = [to]
        ds.GraphicAnnotationSequence = [ga]
    voi = Dataset()
    voi.WindowCenter, voi.WindowWidth = ("-600", "1500") if st.body == "CHEST" and src.modality == "CT" else \
        ("40", "400") if src.modality == "CT" else ("350", "700")
    ds.SoftcopyVOILUTSequence = [voi]
    if src.modality == "CT":
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "-1024", "1", "HU"
    ds.PresentationLUTShape = "IDENTITY"
    return ds


def write_study(w, st, uids):
    for se in st.series:
        w.image_series(st, se)
    rng = random.Random("%s/objects/%d" % (w.seed, st.index))
    number = len(st.series) + 1
    hosts = ([("seg", k) for k in range(st.n_seg)] + ([("sr", 0)] if st.has_sr else [])
             + ([("pr", 0)] if st.has_pr else []) + ([("ko", 0)] if st.has_ko and not st.cross == "ko" else []))
    dangling_host = rng.choice(hosts) if st.dangling == "instance" and hosts else None
    missing = uids("missing-sop", st.index, "deleted")
    seg = None
    for k in range(st.n_seg):
        ds, _ = build_seg(st, k, number, rng, uids, missing if dangling_host == ("seg", k) else None)
        w.other_object(st, ds, number)
        seg = seg or ds
        number += 1
    if st.has_sr:
        ds = build_sr(st, number, rng, uids, seg, st.prior if st.cross == "sr" else None,
                      missing if dangling_host == ("sr", 0) else None)
        w.other_object(st, ds, number)
        number += 1
    if st.has_rt:
        w.other_object(st, build_rt(st, number, rng, uids), number)
        number += 1
    if st.has_pr:
        w.other_object(st, build_pr(st, number, rng, uids, missing if dangling_host == ("pr", 0) else None), number)
        number += 1
    if st.has_ko or st.cross == "ko" or st.dangling == "study":
        dangling = "study" if st.dangling == "study" else (missing if dangling_host == ("ko", 0) else None)
        ds = build_ko(st, number, rng, uids, st.prior if st.cross == "ko" else None, dangling)
        w.other_object(st, ds, number)
        number += 1


def prepare_out(out):
    """Creates OUT, or empties a previous output of this generator (only the files its manifest lists)."""
    manifest = os.path.join(out, "manifest.json")
    if os.path.isdir(out) and os.listdir(out):
        try:
            with open(manifest) as f:
                old = json.load(f)
            if old.get("generator") != GENERATOR:
                raise ValueError
        except (OSError, ValueError):
            raise SystemExit("%s is not empty and holds no manifest.json of this generator: refusing to write there" % out)
        dirs = set()
        for rec in old.get("instances", []):
            p = os.path.join(out, rec["file"])
            if os.path.isfile(p):
                os.remove(p)
            d = os.path.dirname(rec["file"])
            while d:
                dirs.add(d)
                d = os.path.dirname(d)
        os.remove(manifest)
        for d in sorted(dirs, key=lambda x: -x.count("/")):
            try:
                os.rmdir(os.path.join(out, d))
            except OSError:
                pass
    os.makedirs(out, exist_ok=True)


def write_manifest(path, head, studies, series, instance_lines, refs):
    with open(path, "w") as f:
        f.write(json.dumps(head, indent=1)[:-2] + ",\n")
        for name, rows in (("studies", [json.dumps(x, separators=(",", ":")) for x in studies]),
                           ("series", [json.dumps(x, separators=(",", ":")) for x in series]),
                           ("instances", instance_lines),
                           ("references", [json.dumps(x, separators=(",", ":")) for x in refs])):
            f.write(' "%s": [\n' % name)
            f.write(",\n".join(rows))
            f.write("\n ]%s\n" % ("" if name == "references" else ","))
        f.write("}\n")


def generate(args):
    t0 = time.monotonic()
    target = args.instances
    if target is not None and args.studies is not None:
        n_studies = args.studies
    elif target is not None:
        n_studies = max(1, round(target / EXPECTED_PER_STUDY), min(20, target // 8))
    else:
        n_studies = args.studies if args.studies is not None else 20
    scale = target / (n_studies * EXPECTED_PER_STUDY) if target else 1.0
    studies = plan_dataset(args.seed, n_studies, target, scale)
    prepare_out(args.out)
    uids = Uids(args.seed)
    w = Writer(args.out, args.check, max(0, args.write_threads))
    w.seed = args.seed
    try:
        for st in studies:
            write_study(w, st, uids)
    finally:
        w.close()
    # ground truth from what was written
    series_study = {s["series"]: s["study"] for s in w.series}
    study_uids = {st.uid for st in studies}
    refs = []
    for r in w.refs:
        if r["level"] == "instance":
            known = w.instances_by_sop.get(r["target"])
            target_study = known[0] if known else None
        elif r["level"] == "series":
            target_study = series_study.get(r["target"])
        else:
            target_study = r["target"] if r["target"] in study_uids else None
        r["targetStudy"] = target_study
        r["crossStudy"] = None if target_study is None else target_study != r["sourceStudy"]
        r["dangling"] = target_study is None
        refs.append({k: r[k] for k in ("source", "sourceStudy", "sourceModality", "target", "targetStudy", "level",
                                       "path", "attribute", "targetSopClass", "crossStudy", "dangling")})
    study_rows = []
    per_study = {}
    for sop, (study, series, modality, attrs) in w.instances_by_sop.items():
        per_study.setdefault(study, []).append((modality, attrs))
    for st in studies:
        items = per_study[st.uid]
        modalities = sorted({m for m, _ in items})
        seg_types = sorted({t for m, a in items for t in a.get(SEG_TYPES_KEY, [])})
        row = {"study": st.uid, "dir": st.dir}
        first = items[0][1]
        row.update({k: first[k] for k in STUDY_KEYS if k in first})
        row["BodyPartExamined"] = first.get("BodyPartExamined")
        row.update({"modalities": modalities, "series": sum(1 for s in w.series if s["study"] == st.uid),
                    "instances": len(items), "hasSEG": "SEG" in modalities, "segmentAlgorithmTypes": seg_types,
                    "hasSR": "SR" in modalities, "hasRTSTRUCT": "RTSTRUCT" in modalities, "hasPR": "PR" in modalities,
                    "hasKO": "KO" in modalities})
        study_rows.append(row)
    by_modality, by_class, by_path = {}, {}, {}
    for sop, (study, series, modality, attrs) in w.instances_by_sop.items():
        by_modality[modality] = by_modality.get(modality, 0) + 1
    for s in w.series:
        by_class[s["sopClass"]] = by_class.get(s["sopClass"], 0) + s["instances"]
    for r in refs:
        key = "%s [%s]" % (r["path"], r["level"])
        by_path[key] = by_path.get(key, 0) + 1
    head = {"generator": GENERATOR, "formatVersion": FORMAT_VERSION, "seed": args.seed, "pydicom": pydicom.__version__,
            "parameters": {"studies": n_studies, "instancesTarget": target,
                           "seriesSize": [max(1, round(SERIES_SIZE[0] * scale)), max(1, round(SERIES_SIZE[1] * scale))]},
            "totals": {"studies": len(studies), "series": len(w.series), "instances": len(w.instance_lines),
                       "bytes": w.bytes, "byModality": dict(sorted(by_modality.items())),
                       "bySopClass": dict(sorted(by_class.items())), "references": len(refs),
                       "referencesByPath": dict(sorted(by_path.items())),
                       "danglingReferences": sum(1 for r in refs if r["dangling"]),
                       "crossStudyReferences": sum(1 for r in refs if r["crossStudy"])}}
    write_manifest(os.path.join(args.out, "manifest.json"), head, study_rows, w.series, w.instance_lines, refs)
    seconds = time.monotonic() - t0
    n = len(w.instance_lines)
    summary = {"out": args.out, "seed": args.seed, "studies": len(studies), "series": len(w.series), "instances": n,
               "bytes": w.bytes, "references": len(refs), "danglingReferences": head["totals"]["danglingReferences"],
               "crossStudyReferences": head["totals"]["crossStudyReferences"], "seconds": round(seconds, 2),
               "instancesPerSecond": round(n / seconds) if seconds > 0 else None}
    print(json.dumps(summary), flush=True)


# ---------------------------------------------------------------------------------------------------------
# loading


class Loader:
    def __init__(self, url, threads):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https"):
            raise SystemExit("not an http(s) URL: " + url)
        self.https, self.host, self.port = u.scheme == "https", u.hostname, u.port
        self.base = u.path.rstrip("/")
        self.headers = {}
        if u.username:
            token = base64.b64encode(("%s:%s" % (urllib.parse.unquote(u.username),
                                                 urllib.parse.unquote(u.password or ""))).encode()).decode()
            self.headers["Authorization"] = "Basic " + token
        self.threads = threads
        self.lock = threading.Lock()
        self.ok = self.failed = self.bytes = 0
        self.errors = []

    def connect(self):
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=300)

    def post(self, conn, path, body, headers):
        """One POST on a kept-alive connection (http.client sends no Expect: 100-continue); reconnects once."""
        for attempt in (0, 1):
            try:
                conn.request("POST", path, body=body, headers={**self.headers, **headers})
                resp = conn.getresponse()
                return conn, resp.status, resp.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = self.connect()
                if attempt:
                    raise

    def run(self, jobs, send):
        queue = list(reversed(jobs))
        t0 = time.monotonic()

        def worker():
            conn = self.connect()
            while True:
                with self.lock:
                    if not queue:
                        break
                    job = queue.pop()
                try:
                    conn = send(conn, job)
                except Exception as e:  # counted as failures of the whole job
                    with self.lock:
                        self.failed += len(job) if isinstance(job, list) else 1
                        self.errors.append(repr(e)[:200])
                    conn.close()
                    conn = self.connect()
            conn.close()

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - t0

    def summary(self, kind, seconds):
        n = self.ok + self.failed
        return {"load": kind, "url": "%s://%s:%s%s" % ("https" if self.https else "http", self.host, self.port, self.base),
                "instances": n, "stored": self.ok, "failed": self.failed, "bytes": self.bytes,
                "seconds": round(seconds, 2), "instancesPerSecond": round(n / seconds) if seconds > 0 else None,
                "threads": self.threads, "errorSamples": self.errors[:5]}


def load_orthanc(out, files, url, threads):
    loader = Loader(url, threads)
    path = loader.base + "/instances"

    def send(conn, rel):
        with open(os.path.join(out, rel), "rb") as f:
            body = f.read()
        conn, status, answer = loader.post(conn, path, body, {"Content-Type": "application/dicom"})
        good = status == 200
        if good:
            try:
                good = json.loads(answer).get("Status") in ("Success", "AlreadyStored")
            except ValueError:
                good = False
        with loader.lock:
            loader.bytes += len(body)
            if good:
                loader.ok += 1
            else:
                loader.failed += 1
                loader.errors.append("%s: HTTP %d %s" % (rel, status, answer[:200].decode("utf-8", "replace")))
        return conn

    seconds = loader.run(files, send)
    return loader.summary("orthanc", seconds)


def load_stow(out, files, url, threads, batch):
    loader = Loader(url, threads)
    path = loader.base if loader.base.endswith("/studies") else loader.base + "/studies"
    boundary = "dicom-sidecar-dataset-" + uuid.uuid4().hex

    def send(conn, rels):
        parts = []
        for rel in rels:
            with open(os.path.join(out, rel), "rb") as f:
                data = f.read()
            if boundary.encode() in data:
                raise ValueError("boundary occurs in " + rel)
            parts += [b"--", boundary.encode(), b"\r\nContent-Type: application/dicom\r\n\r\n", data, b"\r\n"]
        parts += [b"--", boundary.encode(), b"--\r\n"]
        body = b"".join(parts)
        conn, status, answer = loader.post(conn, path, body, {
            "Content-Type": 'multipart/related; type="application/dicom"; boundary=%s' % boundary,
            "Accept": "application/dicom+json"})
        stored = failed = 0
        try:
            doc = json.loads(answer) if answer else {}
            if isinstance(doc, list):
                doc = doc[0] if doc else {}
            stored = len(doc.get("00081199", {}).get("Value", []))
            failed = len(doc.get("00081198", {}).get("Value", []))
        except (ValueError, AttributeError):
            pass
        if status not in (200, 202) or stored + failed != len(rels):
            failed = len(rels) - stored
        with loader.lock:
            loader.bytes += len(body)
            loader.ok += stored
            loader.failed += failed
            if failed:
                loader.errors.append("batch of %d from %s: HTTP %d, %d refused: %s" % (
                    len(rels), rels[0], status, failed, answer[:200].decode("utf-8", "replace")))
        return conn

    batches = [files[i:i + batch] for i in range(0, len(files), batch)]
    seconds = loader.run(batches, send)
    return loader.summary("stow-rs", seconds)


def manifest_files(out):
    with open(os.path.join(out, "manifest.json")) as f:
        return [rec["file"] for rec in json.load(f)["instances"]]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output folder (created; a previous output of this generator is replaced)")
    p.add_argument("--seed", default="1", help="any text; the same seed gives the same files (default 1)")
    p.add_argument("--studies", type=int, help="number of studies (default 20 without --instances)")
    p.add_argument("--instances", type=int, help="total number of instances to aim at")
    p.add_argument("--write-threads", type=int, default=2, help="threads writing files (0: the main thread; default 2)")
    p.add_argument("--check", action="store_true", help="compare the fast encoding with dcmwrite for every series")
    p.add_argument("--load-orthanc", metavar="URL", help="POST every file to URL/instances (Orthanc REST)")
    p.add_argument("--load-stow", metavar="URL", help="STOW-RS every file to URL/studies (a DICOMweb base)")
    p.add_argument("--threads", type=int, default=4, help="loader threads, one kept-alive connection each (default 4)")
    p.add_argument("--stow-batch", type=int, default=50, help="instances per STOW-RS request (default 50)")
    p.add_argument("--load-only", action="store_true", help="do not generate: load OUT as its manifest lists it")
    args = p.parse_args()
    if args.studies is not None and args.studies < 1 or args.instances is not None and args.instances < 1:
        p.error("--studies and --instances must be at least 1")
    if not args.load_only:
        generate(args)
    elif not (args.load_orthanc or args.load_stow):
        p.error("--load-only needs --load-orthanc or --load-stow")
    failed = 0
    if args.load_orthanc or args.load_stow:
        files = manifest_files(args.out)
        if args.load_orthanc:
            s = load_orthanc(args.out, files, args.load_orthanc, args.threads)
            print(json.dumps(s), flush=True)
            failed += s["failed"]
        if args.load_stow:
            s = load_stow(args.out, files, args.load_stow, args.threads, max(1, args.stow_batch))
            print(json.dumps(s), flush=True)
            failed += s["failed"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
