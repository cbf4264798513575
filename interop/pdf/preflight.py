"""Run Apache PDFBox Preflight (Debian `libpdfbox2-java`) on a PDF: the PDF/A-1b check of the tests and bench."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

JARS = (
    "preflight.jar",
    "pdfbox2.jar",
    "fontbox2.jar",
    "xmpbox.jar",
    "commons-logging.jar",
    "javax.activation.jar",
    "jaxb-api.jar",
)
JAVA_DIR = Path("/usr/share/java")


@dataclass(frozen=True)
class PreflightReport:
    valid: bool
    output: str


def available() -> bool:
    return shutil.which("java") is not None and all((JAVA_DIR / jar).exists() for jar in JARS)


def preflight(pdf: bytes) -> PreflightReport:
    """Validate `pdf` as PDF/A-1b; `valid` is True only when Preflight says the file is a valid PDF/A-1b."""
    classpath = ":".join(str(JAVA_DIR / jar) for jar in JARS)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(
            ["java", "-cp", classpath, "org.apache.pdfbox.preflight.Validator_A1b", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    output = (result.stdout + result.stderr).strip()
    return PreflightReport(valid=result.returncode == 0 and "is a valid PDF/A-1b file" in output, output=output)
