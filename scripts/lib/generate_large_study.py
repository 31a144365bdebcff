#!/usr/bin/python3
"""Writes one large synthetic CT study (one study, one series) for the delegation benchmark.

Deterministic: the same --seed gives the same UIDs and the same pixels. Runs on Debian's python3-pydicom
without numpy: pixels are built row by row from byte runs, and noise is added to the whole frame at once
with big-integer arithmetic (no carries between 16-bit lanes, since every value stays below 4096).

Default: 100 axial slices of 1024 x 1024, 16 bits allocated / 12 stored = 2 MiB of pixel data each,
about 210 MB in all. Prints (and writes to OUT/study.json) the UIDs and sizes as JSON.

Usage: generate_large_study.py OUT_DIR [--count N] [--size PIXELS] [--seed TEXT]
"""
import argparse
import json
import math
import os
import random
import sys
from array import array

from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
INTERCEPT = -1024  # stored value 0 = -1024 HU (air)


def uid(seed, *parts):
    return generate_uid(entropy_srcs=[seed, *map(str, parts)])


def hu(value):
    return value - INTERCEPT


def frame(size, index, count, rng):
    """An axial slice through an elliptic body: fat rim, soft tissue, spine, two lungs, sliding with z."""
    z = (index + 0.5) / count  # 0 .. 1 from feet to head
    cx, cy = size / 2, size * 0.52
    body_a, body_b = size * (0.42 + 0.04 * math.sin(math.pi * z)), size * (0.30 + 0.03 * math.sin(math.pi * z))
    lung_r = size * 0.11 * max(0.0, math.sin(math.pi * min(1.0, z * 1.4)))  # lungs grow towards the head
    spine_r = size * 0.045
    rows = []
    for y in range(size):
        dy = (y + 0.5 - cy) / body_b
        if abs(dy) >= 1:
            rows.append(array("H", [hu(-1000)]) * size)
            continue
        half = body_a * math.sqrt(1 - dy * dy)
        x0, x1 = max(0, int(cx - half)), min(size, int(cx + half))
        fat = max(2, int(size * 0.02))
        row = array("H", [hu(-1000)]) * x0
        row += array("H", [hu(-100)]) * min(fat, x1 - x0)
        inner = array("H", [hu(40)]) * max(0, x1 - x0 - 2 * fat)
        # lungs: two circles left and right of the midline
        for lx in (cx - size * 0.16, cx + size * 0.16):
            ly = cy - size * 0.04
            d = y + 0.5 - ly
            if lung_r > 0 and abs(d) < lung_r:
                w = math.sqrt(lung_r * lung_r - d * d)
                a, b = int(lx - w) - x0 - fat, int(lx + w) - x0 - fat
                a, b = max(0, a), min(len(inner), b)
                if b > a:
                    inner[a:b] = array("H", [hu(-850)]) * (b - a)
        # spine: a bright disc behind the centre
        sy = cy + body_b * 0.6
        d = y + 0.5 - sy
        if abs(d) < spine_r:
            w = math.sqrt(spine_r * spine_r - d * d)
            a, b = max(0, int(cx - w) - x0 - fat), min(len(inner), int(cx + w) - x0 - fat)
            if b > a:
                inner[a:b] = array("H", [hu(700)]) * (b - a)
        row += inner
        row += array("H", [hu(-100)]) * max(0, min(fat, x1 - x0 - fat))
        row += array("H", [hu(-1000)]) * (size - len(row))
        rows.append(row)
    pixels = array("H")
    for r in rows:
        pixels += r
    if sys.byteorder != "little":
        pixels.byteswap()
    data = pixels.tobytes()
    # noise 0..31 in the low byte of every 16-bit lane; adding as one big integer never carries across lanes
    noise = bytearray(len(data))
    noise[0::2] = rng.randbytes(len(data) // 2).translate(bytes(b & 0x1F for b in range(256)))
    total = int.from_bytes(data, "little") + int.from_bytes(noise, "little")
    return total.to_bytes(len(data), "little")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--count", type=int, default=100, help="number of slices (default 100)")
    p.add_argument("--size", type=int, default=1024, help="rows = columns (default 1024)")
    p.add_argument("--seed", default="dicom-sidecar-benchmark", help="makes UIDs and pixels deterministic")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    seed = args.seed

    study_uid, series_uid, frame_uid = uid(seed, "study"), uid(seed, "series"), uid(seed, "frame-of-reference")
    patient_id = "BENCH-" + str(abs(hash_int(seed)) % 10**8).zfill(8)
    thickness, spacing = 2.5, 350.0 / args.size
    total = 0
    for i in range(args.count):
        sop_uid = uid(seed, "instance", i)
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.SOPClassUID, ds.SOPInstanceUID = CT_IMAGE_STORAGE, sop_uid
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = "20240315"
        ds.StudyTime, ds.SeriesTime = "101500", "101712"
        ds.AcquisitionTime = ds.ContentTime = "1017%02d.%03d" % (12 + i // 50, (i * 137) % 1000)
        ds.AccessionNumber = "ACC" + patient_id[-6:]
        ds.Modality = "CT"
        ds.Manufacturer = "Synthetic Scanners"
        ds.InstitutionName = "Benchmark Hospital"
        ds.ReferringPhysicianName = "Referrer^Rita"
        ds.StationName = "CT01"
        ds.StudyDescription = "CT CHEST ABDOMEN (benchmark, %d slices)" % args.count
        ds.SeriesDescription = "Axial 2.5mm STANDARD"
        ds.ManufacturerModelName = "Benchmark CT 128"
        ds.PatientName = "Benchmark^Large^Study"
        ds.PatientID = patient_id
        ds.PatientBirthDate = "19610704"
        ds.PatientSex = "F"
        ds.PatientAge = "062Y"
        ds.BodyPartExamined = "CHEST"
        ds.ScanOptions = "HELICAL MODE"
        ds.SliceThickness = thickness
        ds.KVP = 120
        ds.DataCollectionDiameter = 500
        ds.SoftwareVersions = "bench-1.0"
        ds.ReconstructionDiameter = 350
        ds.DistanceSourceToDetector = 1040
        ds.DistanceSourceToPatient = 570
        ds.GantryDetectorTilt = 0
        ds.TableHeight = 160
        ds.RotationDirection = "CW"
        ds.ExposureTime = 500
        ds.XRayTubeCurrent = 250
        ds.Exposure = 125
        ds.FilterType = "BODY FILTER"
        ds.GeneratorPower = 30
        ds.FocalSpots = 1.2
        ds.ConvolutionKernel = "STANDARD"
        ds.PatientPosition = "HFS"
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
        ds.StudyID = "1"
        ds.SeriesNumber = 2
        ds.AcquisitionNumber = 1
        ds.InstanceNumber = i + 1
        z = -300.0 + i * thickness
        ds.ImagePositionPatient = [-175.0, -175.0, z]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.FrameOfReferenceUID = frame_uid
        ds.PositionReferenceIndicator = ""
        ds.SliceLocation = z
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = ds.Columns = args.size
        ds.PixelSpacing = [round(spacing, 6), round(spacing, 6)]
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.WindowCenter, ds.WindowWidth = 40, 400
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = INTERCEPT, 1, "HU"
        ds.PixelData = frame(args.size, i, args.count, rng)
        path = os.path.join(args.out, "CT%04d.dcm" % (i + 1))
        ds.save_as(path, write_like_original=False)
        total += os.path.getsize(path)
    info = {"StudyInstanceUID": study_uid, "SeriesInstanceUID": series_uid, "PatientID": patient_id,
            "instances": args.count, "rows": args.size, "columns": args.size, "bytes": total}
    with open(os.path.join(args.out, "study.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info))


def hash_int(text):
    """A stable hash (Python's hash() of str is salted per process)."""
    h = 1469598103934665603
    for b in text.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return h


if __name__ == "__main__":
    main()
