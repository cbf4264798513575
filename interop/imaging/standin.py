"""A small DICOM query stand-in for ``make run``: a pynetdicom SCP answering C-ECHO and study-root
C-FIND (STUDY level) from synthetic studies made with pydicom.

    python -m interop.imaging.standin --port 11112 [--ae DCC-PACS-DEMO] [--studies FILE.json] [--qido-port 8043]

``FILE.json`` is a list of ``SyntheticStudy.as_dict()`` (``seed_demo`` writes one for a few demo
patients under ``.data/imaging/``). Matching follows DICOM PS3.4 C.2.2.2 for the keys a DCC sends:
single value with ``*``/``?`` wildcards, date ranges, UID lists; empty keys are return keys.
With ``--qido-port`` it also answers DICOMweb QIDO-RS ``GET /dicom-web/studies?…`` (DICOM JSON) from
the same studies, with the same matching, and serves a demo viewer page ``GET /viewer?StudyInstanceUID=…``
(the target of the demo PACS's viewer link template: the study's description, no images).
"""

from __future__ import annotations

import argparse
import fnmatch
import html
import json
import logging
import signal
import sys
import threading
import urllib.parse
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind, Verification

from interop.imaging.dicom import DEMO_AE_TITLE
from interop.imaging.synthetic import SyntheticStudy, study_dataset

DEFAULT_AE = DEMO_AE_TITLE
MATCHING_KEYS = (
    "PatientID",
    "IssuerOfPatientID",
    "StudyInstanceUID",
    "AccessionNumber",
    "StudyDate",
    "ModalitiesInStudy",
    "PatientName",
)


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


QIDO_PATH = "/dicom-web/studies"
QIDO_RETURN_KEYS = (
    "PatientID",
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "ModalitiesInStudy",
    "StudyDescription",
    "AccessionNumber",
    "PatientName",
)


def qido_identifier(query: dict[str, list[str]]) -> Dataset:
    """A QIDO-RS query string as the C-FIND identifier it means (matching keys valued, return keys empty)."""
    identifier = Dataset()
    identifier.QueryRetrieveLevel = "STUDY"
    for keyword in QIDO_RETURN_KEYS:
        setattr(identifier, keyword, "")
    for keyword in query.get("includefield", []):
        if keyword in QIDO_RETURN_KEYS or keyword in MATCHING_KEYS:
            setattr(identifier, keyword, "")
    for keyword, values in query.items():
        if keyword in MATCHING_KEYS and values:
            setattr(identifier, keyword, values[0])
    return identifier


VIEWER_PATH = "/viewer"


def viewer_page(studies: Iterable[SyntheticStudy], study_uid: str) -> str | None:
    """The demo viewer's page for one study (French, escaped), or ``None`` when the stand-in does not hold it."""
    study = next((item for item in studies if item.study_uid == study_uid), None)
    if study is None:
        return None
    rows = [
        ("Patient", study.patient_name.replace("^", " ")),
        ("Identifiant patient", study.patient_id),
        ("Date", study.study_date.strftime("%d/%m/%Y")),
        ("Modalité", study.modality),
        ("Description", study.description),
        ("N° d'accession", study.accession),
        ("Study Instance UID", study.study_uid),
    ]
    cells = "".join(f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Visionneuse de démonstration</title>"
        "</head><body><h1>Visionneuse de démonstration</h1><p>Examen synthétique du PACS de démonstration : "
        f"aucune image n'est affichée.</p><table>{cells}</table></body></html>"
    )


def start_qido(*, host: str = "127.0.0.1", port: int = 0, studies: list[SyntheticStudy]) -> ThreadingHTTPServer:
    """Serve QIDO-RS and the demo viewer page in a background thread; returns the server (its port in
    ``server.server_address``)."""
    datasets = [study_dataset(study) for study in studies]

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path.rstrip("/") == VIEWER_PATH:
                uid = urllib.parse.parse_qs(url.query).get("StudyInstanceUID", [""])[0]
                page = viewer_page(studies, uid)
                if page is None:
                    self._send(404, "Examen inconnu du PACS de démonstration.".encode(), "text/plain; charset=utf-8")
                else:
                    self._send(200, page.encode(), "text/html; charset=utf-8")
                return
            if url.path.rstrip("/") != QIDO_PATH:
                self.send_error(404)
                return
            identifier = qido_identifier(urllib.parse.parse_qs(url.query))
            items = []
            for candidate in matching(identifier, datasets):
                response = answer(identifier, candidate)
                del response.QueryRetrieveLevel
                items.append(response.to_json_dict())
            self._send(200, json.dumps(items).encode(), "application/dicom+json")

        def log_message(self, format, *args):  # quiet: the launcher's console is for people
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="qido-standin", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PACS de démonstration (C-FIND) pour le DCC")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11112)
    parser.add_argument("--ae", default=DEFAULT_AE)
    parser.add_argument("--studies", type=Path, default=None, help="fichier JSON des examens synthétiques")
    parser.add_argument(
        "--qido-port", type=int, default=None, help="sert aussi QIDO-RS et la visionneuse de démonstration sur ce port"
    )
    args = parser.parse_args(argv)
    logging.getLogger("pynetdicom").setLevel(logging.WARNING)
    studies = load_studies(args.studies)
    server = start(host=args.host, port=args.port, ae_title=args.ae, studies=studies)
    host, port = server.server_address[:2]
    print(f"[imagerie] PACS de démonstration {args.ae} sur {host}:{port} ({len(studies)} examens)", flush=True)
    qido = None
    if args.qido_port is not None:
        qido = start_qido(host=args.host, port=args.qido_port, studies=studies)
        web = f"http://{args.host}:{qido.server_address[1]}"
        print(f"[imagerie] QIDO-RS : {web}{QIDO_PATH[:-8]} ; visionneuse : {web}{VIEWER_PATH}", flush=True)
    try:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
    finally:
        server.shutdown()
        if qido is not None:
            qido.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
