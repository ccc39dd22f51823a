"""Regenerates ``performance_sheet_libreoffice.xlsx``: a sheet built by the registry,
filled in, then opened and saved again by LibreOffice Calc (shared strings, its own
styles, formulas with cached results), as a participant's upload would be.

    python -m tests.unit.data.make_libreoffice_sheet   # needs soffice on PATH

Run it again whenever the sheet's layout changes (the unit test says so when it fails).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from chalicelib.emissions.sheets import build_sheet
from tests.unit.test_emissions_sheets import HEADER, LIBREOFFICE_FILL, LIBREOFFICE_SHEET, SOURCES, fill


def main() -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("soffice (LibreOffice) is not on PATH")
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "filled.xlsx"
        source.write_bytes(fill(build_sheet(HEADER, SOURCES), LIBREOFFICE_FILL))
        subprocess.run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
                        "xlsx:Calc MS Excel 2007 XML", "--outdir", f"{work}/out", str(source)], check=True, timeout=120)
        LIBREOFFICE_SHEET.write_bytes((Path(work) / "out" / "filled.xlsx").read_bytes())
    print(f"wrote {LIBREOFFICE_SHEET} ({LIBREOFFICE_SHEET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
