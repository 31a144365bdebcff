#!/usr/bin/python3
"""Writes many small synthetic CT and MR instances for the mirror benchmark (scripts/benchmark-mirror.sh).

Default: 40 studies x 5 series x 50 instances = 10,000 files of 64 x 64 pixels, 8 bits, MONOCHROME2
(about 5 KB each). Studies alternate between CT and MR (CT Image Storage / MR Image Storage) with
realistic attributes: patient, dates and times, Manufacturer and model, body part, PixelSpacing,
SliceThickness, positions and orientation, CT KVP/kernel/rescale or MR field strength/TR/TE/sequence.
Deterministic: the same --seed gives the same UIDs, attributes and pixels; another seed gives a disjoint
set of UIDs. Runs on Debian's python3-pydicom (no numpy).

Layout: OUT/st0001/se01/0001.dcm ... and OUT/manifest.json, which lists per study its UID, modality and
series (UID, instance count, folder); the same summary (without the series) is printed as one JSON line.

Usage: generate_small_instances.py OUT [--studies 40] [--series 5] [--instances 50] [--size 64] [--seed TEXT]
"""
import argparse
import datetime
import json
import os
import random

from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4"

CT_SCANNERS = [("SIEMENS", "SOMATOM Force"), ("GE MEDICAL SYSTEMS", "Revolution CT"),
               ("Philips", "IQon Spectral CT"), ("Canon Medical Systems", "Aquilion ONE")]
MR_SCANNERS = [("SIEMENS", "MAGNETOM Vida", 3.0), ("GE MEDICAL SYSTEMS", "SIGNA Premier", 3.0),
               ("Philips", "Ingenia", 1.5), ("SIEMENS", "MAGNETOM Sola", 1.5)]
CT_EXAMS = [("CHEST", "CT THORAX WITH CONTRAST"), ("ABDOMEN", "CT ABDOMEN PELVIS"),
            ("HEAD", "CT HEAD WITHOUT CONTRAST"), ("PELVIS", "CT PELVIS")]
MR_EXAMS = [("BRAIN", "MR BRAIN"), ("KNEE", "MR KNEE RIGHT"), ("LSPINE", "MR LUMBAR SPINE"),
            ("PROSTATE", "MR PROSTATE MULTIPARAMETRIC")]
CT_SERIES = [("Topogram 0.6 T20f", "T20f", 5.0), ("Axial 5.0 Br40", "Br40", 5.0), ("Axial 1.0 Br40", "Br40", 1.0),
             ("Axial 1.0 Bl57 lung", "Bl57", 1.0), ("Coronal MPR 3.0", "Br40", 3.0), ("Sagittal MPR 3.0", "Br40", 3.0)]
MR_SERIES = [("t1_tse_sag", "SE", "SK\\SP", 550, 11), ("t2_tse_sag", "SE", "SK\\SP", 3200, 96),
             ("t2_tse_tra", "SE", "SK\\SP", 4500, 102), ("pd_tse_fs_cor", "SE", "SK\\SP\\OSP", 3000, 30),
             ("t1_mprage_sag_iso", "GR\\IR", "SK\\SP\\MP", 2300, 2.3), ("ep2d_diff_tra", "EP", "SK\\SP", 5200, 67)]
FIRST_NAMES = ["Anna", "Bert", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ines", "Jonas"]
LAST_NAMES = ["Muster", "Keller", "Schmid", "Weber", "Fischer", "Meyer", "Wagner", "Becker", "Hofmann", "Koch"]


def uid(seed, *parts):
    # one entropy source with separators: pydicom joins the sources without one, so ("instance", 1, 1, 10)
    # and ("instance", 11, 1, 0) would give the same UID
    return generate_uid(entropy_srcs=["/".join([seed, *map(str, parts)])])


def phantom(size):
    """A disc of tissue with a brighter core (values <= 0xDF, so that noise up to 0x1F never carries)."""
    out = bytearray(size * size)
    c, r1, r2 = (size - 1) / 2, size * 0.42, size * 0.18
    for y in range(size):
        for x in range(size):
            d = ((x - c) ** 2 + (y - c) ** 2) ** 0.5
            out[y * size + x] = 0xC0 if d < r2 else 0x70 if d < r1 else 0x08
    return bytes(out)


NOISE_MASK = bytes(b & 0x1F for b in range(256))


def pixels(template, rng):
    noise = rng.randbytes(len(template)).translate(NOISE_MASK)
    return (int.from_bytes(template, "little") + int.from_bytes(noise, "little")).to_bytes(len(template), "little")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--studies", type=int, default=40)
    p.add_argument("--series", type=int, default=5, help="series per study")
    p.add_argument("--instances", type=int, default=50, help="instances per series")
    p.add_argument("--size", type=int, default=64, help="rows = columns")
    p.add_argument("--seed", default="dicom-sidecar-mirror-A")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    seed = args.seed
    rng = random.Random(seed)
    template = phantom(args.size)
    base_day = datetime.date(2023, 1, 2)
    studies = []
    seen = set()
    total = files_bytes = 0
    for s in range(args.studies):
        ct = s % 2 == 0
        study_uid = uid(seed, "study", s)
        patient_id = "MIR%s%04d" % (abs(hash_int(seed)) % 10**4, s)
        sex = rng.choice("FM")
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 60 * 365))
        study_day = base_day + datetime.timedelta(days=rng.randrange(0, 700))
        age = (study_day - birth).days // 365
        study_time = "%02d%02d%02d" % (rng.randrange(7, 19), rng.randrange(60), rng.randrange(60))
        if ct:
            manufacturer, model = rng.choice(CT_SCANNERS)
            field = None
            body, study_desc = rng.choice(CT_EXAMS)
        else:
            manufacturer, model, field = rng.choice(MR_SCANNERS)
            body, study_desc = rng.choice(MR_EXAMS)
        frame_uid = uid(seed, "frame-of-reference", s)
        study_dir = "st%04d" % (s + 1)
        series_list = []
        for se in range(args.series):
            series_uid = uid(seed, "series", s, se)
            series_dir = os.path.join(study_dir, "se%02d" % (se + 1))
            os.makedirs(os.path.join(args.out, series_dir), exist_ok=True)
            if ct:
                series_desc, kernel, thickness = CT_SERIES[se % len(CT_SERIES)]
                fov = rng.choice([320.0, 350.0, 380.0, 400.0])
                kvp = rng.choice([100, 120, 140])
            else:
                series_desc, scanning, variant, tr, te = MR_SERIES[se % len(MR_SERIES)]
                thickness = rng.choice([3.0, 4.0, 5.0])
                fov = rng.choice([200.0, 220.0, 240.0, 160.0])
            spacing = round(fov / args.size, 6)
            series_time = "%02d%02d%02d" % (int(study_time[:2]), (int(study_time[2:4]) + 2 * se) % 60, rng.randrange(60))
            for i in range(args.instances):
                sop_uid = uid(seed, "instance", s, se, i)
                if sop_uid in seen:
                    raise SystemExit("duplicate SOPInstanceUID " + sop_uid)
                seen.add(sop_uid)
                sop_class = CT_IMAGE_STORAGE if ct else MR_IMAGE_STORAGE
                meta = FileMetaDataset()
                meta.MediaStorageSOPClassUID = sop_class
                meta.MediaStorageSOPInstanceUID = sop_uid
                meta.TransferSyntaxUID = ExplicitVRLittleEndian
                meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
                ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
                ds.is_little_endian, ds.is_implicit_VR = True, False
                ds.SpecificCharacterSet = "ISO_IR 100"
                ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"] if ct else ["ORIGINAL", "PRIMARY", "M", "ND"]
                ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_uid
                ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = study_day.strftime("%Y%m%d")
                ds.StudyTime, ds.SeriesTime = study_time, series_time
                ds.AcquisitionTime = ds.ContentTime = series_time + ".%03d" % (i * 37 % 1000)
                ds.AccessionNumber = "A%09d" % (abs(hash_int(seed + str(s))) % 10**9)
                ds.Modality = "CT" if ct else "MR"
                ds.Manufacturer = manufacturer
                ds.InstitutionName = "Mirror Benchmark Hospital"
                ds.ReferringPhysicianName = "%s^%s" % (rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES))
                ds.StationName = ("CT%02d" if ct else "MR%02d") % (1 + s % 4)
                ds.StudyDescription = study_desc
                ds.SeriesDescription = series_desc
                ds.ManufacturerModelName = model
                ds.PatientName = "%s^%s" % (LAST_NAMES[s % len(LAST_NAMES)], FIRST_NAMES[(s // 10) % len(FIRST_NAMES)])
                ds.PatientID = patient_id
                ds.PatientBirthDate = birth.strftime("%Y%m%d")
                ds.PatientSex = sex
                ds.PatientAge = "%03dY" % age
                ds.BodyPartExamined = body
                ds.SliceThickness = thickness
                ds.SoftwareVersions = "bench-1.0"
                ds.PatientPosition = "HFS" if body not in ("KNEE",) else "FFS"
                if ct:
                    ds.KVP = kvp
                    ds.DataCollectionDiameter = 500
                    ds.ReconstructionDiameter = fov
                    ds.GantryDetectorTilt = 0
                    ds.XRayTubeCurrent = 200 + (i * 7) % 150
                    ds.ExposureTime = 500
                    ds.ConvolutionKernel = kernel
                    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 8, "HU"
                    ds.WindowCenter, ds.WindowWidth = 40, 400
                else:
                    ds.ScanningSequence, ds.SequenceVariant = scanning.split("\\"), variant.split("\\")
                    ds.ScanOptions = "PFP"
                    ds.MRAcquisitionType = "2D"
                    ds.SequenceName = "*" + series_desc.split("_")[0]
                    ds.RepetitionTime, ds.EchoTime = tr, te
                    ds.EchoTrainLength = 16
                    ds.MagneticFieldStrength = field
                    ds.ImagingFrequency = round(42.577478 * field, 6)
                    ds.SpacingBetweenSlices = thickness * 1.1
                    ds.FlipAngle = 150 if "tse" in series_desc else 9
                    ds.WindowCenter, ds.WindowWidth = 110, 220
                ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
                ds.StudyID = str(s + 1)
                ds.SeriesNumber = se + 1
                ds.AcquisitionNumber = 1
                ds.InstanceNumber = i + 1
                z = -0.5 * args.instances * thickness + i * thickness
                ds.ImagePositionPatient = [-fov / 2, -fov / 2, round(z, 3)]
                ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
                ds.FrameOfReferenceUID = frame_uid
                ds.PositionReferenceIndicator = ""
                ds.SliceLocation = round(z, 3)
                ds.SamplesPerPixel = 1
                ds.PhotometricInterpretation = "MONOCHROME2"
                ds.Rows = ds.Columns = args.size
                ds.PixelSpacing = [spacing, spacing]
                ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
                ds.PixelData = pixels(template, rng)
                path = os.path.join(args.out, series_dir, "%04d.dcm" % (i + 1))
                ds.save_as(path, write_like_original=False)
                files_bytes += os.path.getsize(path)
                total += 1
            series_list.append({"SeriesInstanceUID": series_uid, "instances": args.instances, "dir": series_dir,
                                "modality": "CT" if ct else "MR"})
        studies.append({"StudyInstanceUID": study_uid, "PatientID": patient_id, "modality": "CT" if ct else "MR",
                        "dir": study_dir, "series": series_list})
    summary = {"seed": seed, "studies": args.studies, "series": args.studies * args.series, "instances": total,
               "bytes": files_bytes}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(dict(summary, study_list=studies), f, indent=1)
    print(json.dumps(summary))


def hash_int(text):
    """A stable hash (Python's hash() of str is salted per process)."""
    h = 1469598103934665603
    for b in text.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return h


if __name__ == "__main__":
    main()
