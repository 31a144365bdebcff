#!/usr/bin/env bash
# Writes a deterministic synthetic DICOM dataset (CT/MR series, SEG, SR, RT structure sets, presentation
# states, key object selections, cross-study and dangling references) with a ground-truth manifest.json,
# and optionally loads it into Orthanc (--load-orthanc URL) or any DICOMweb base by STOW-RS (--load-stow URL).
# All options are those of scripts/lib/generate_dataset.py (--help), for example:
#   scripts/generate-dataset.sh --seed 1 --studies 20 --out target/dataset --load-orthanc http://127.0.0.1:18042
#   scripts/generate-dataset.sh --seed 1 --instances 10000 --out target/dataset-10k
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
install_prerequisites
# Debian's python3 (with python3-pydicom), not whatever python3 comes first on PATH
exec /usr/bin/python3 "$SIDECAR_ROOT/scripts/lib/generate_dataset.py" "$@"
