"""A small DICOM query stand-in for ``make run``: a pynetdicom SCP answering C-ECHO and study-root
C-FIND (STUDY level) from synthetic studies made with pydicom.

    python -m interop.imaging.standin --port 11112 [--ae DCC-PACS-DEMO] [--studies FILE.json]

``FILE.json`` is a list of ``SyntheticStudy.as_dict()`` (``seed_demo`` writes one for a few demo
patients under ``.data/imaging/``). Matching follows DICOM PS3.4 C.2.2.2 for the keys a DCC sends:
single value with ``*``/``?`` wildcards, date ranges, UID lists; empty keys are return keys.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind, Verification

from interop.imaging.synthetic import SyntheticStudy, study_dataset

DEFAULT_AE = "DCC-PACS-DEMO"
MATCHING_KEYS = ("PatientID", "IssuerOfPatientID", "StudyInstanceUID", "AccessionNumber", "StudyDate",
                 "ModalitiesInStudy", "PatientName")  # fmt: skip


def _matches(key: str, wanted, value) -> bool:
    wanted = "" if wanted is None else str(wanted)
    if wanted in ("", "*"):
        return True
    value = "" if value is None else str(value)
    if key == "StudyInstanceUID":
        return value in wanted.split("\\")
    if key == "StudyDate":
        if "-" in wanted:
            start, _, end = wanted.partition("-")
            return (not start or value >= start) and (not end or value <= end)
        return value == wanted
    if key == "ModalitiesInStudy":
        return bool(set(wanted.split("\\")) & set(value.split("\\")))
    if "*" in wanted or "?" in wanted:
        return fnmatch.fnmatchcase(value.upper(), wanted.upper())
    return value == wanted


def matching(identifier: Dataset, datasets: Iterable[Dataset]) -> list[Dataset]:
    found = []
    for candidate in datasets:
        if all(_matches(key, identifier.get(key), candidate.get(key)) for key in MATCHING_KEYS if key in identifier):
            found.append(candidate)
    return found


def answer(identifier: Dataset, candidate: Dataset) -> Dataset:
    """The response identifier: every requested key, valued from the study."""
    response = Dataset()
    for element in identifier:
        keyword = element.keyword
        if not keyword:
            continue
        setattr(response, keyword, candidate.get(keyword, ""))
    response.QueryRetrieveLevel = "STUDY"
    return response


def make_handler(datasets: list[Dataset]):
    def on_find(event):
        identifier = event.identifier
        if identifier.get("QueryRetrieveLevel") != "STUDY":
            yield 0xC000, None  # unable to process: this stand-in answers study-level queries only
            return
        for candidate in matching(identifier, datasets):
            if event.is_cancelled:
                yield 0xFE00, None
                return
            yield 0xFF00, answer(identifier, candidate)

    return on_find


def load_studies(path: Path | None) -> list[SyntheticStudy]:
    if path is None or not path.is_file():
        return []
    return [SyntheticStudy.from_dict(item) for item in json.loads(path.read_text(encoding="utf-8"))]


def start(*, host: str = "127.0.0.1", port: int = 0, ae_title: str = DEFAULT_AE, studies: list[SyntheticStudy]):
    """Start the SCP in a background thread; returns the server (``server.server_address`` has the port)."""
    ae = AE(ae_title=ae_title)
    ae.require_called_aet = True
    ae.add_supported_context(StudyRootQueryRetrieveInformationModelFind)
    ae.add_supported_context(Verification)
    datasets = [study_dataset(study) for study in studies]
    handlers = [(evt.EVT_C_FIND, make_handler(datasets))]
    return ae.start_server((host, port), block=False, evt_handlers=handlers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PACS de démonstration (C-FIND) pour le DCC")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11112)
    parser.add_argument("--ae", default=DEFAULT_AE)
    parser.add_argument("--studies", type=Path, default=None, help="fichier JSON des examens synthétiques")
    args = parser.parse_args(argv)
    logging.getLogger("pynetdicom").setLevel(logging.WARNING)
    studies = load_studies(args.studies)
    server = start(host=args.host, port=args.port, ae_title=args.ae, studies=studies)
    host, port = server.server_address[:2]
    print(f"[imagerie] PACS de démonstration {args.ae} sur {host}:{port} ({len(studies)} examens)", flush=True)
    try:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
