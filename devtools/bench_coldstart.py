"""Cold start and package size (part of ``make bench``).

Prints the median time to import ``app`` in a fresh interpreter against the median
time to import only its dependencies (chalice, pynamodb, aws_lambda_powertools,
pydantic, jwt), as a ratio: what our own modules add to every cold start. Then the
modules of ours that cost the most (``-X importtime``), the modules (third-party or
stdlib) they pull in that the dependencies alone do not import, and the deployment
zip's size (built with ``devtools.package`` if ``build/dev/deployment.zip`` is
missing).

Targets: ratio <= 1.10, zip <= 20 MB with no test or development packages.
``main()`` returns 1 when a target is missed.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: ``import pydantic`` alone is a lazy stub that loads none of pydantic (its names load
#: on first access); ``pydantic.main`` is what any model needs, so the baseline loads it.
DEPENDENCIES = ("chalice", "pynamodb", "aws_lambda_powertools", "pydantic.main", "jwt")
APP = ("app",)
OURS = ("app", "chalicelib")
RUNS = 11
TARGET_RATIO = 1.10
TARGET_ZIP_BYTES = 20 * 1000 * 1000
#: Never in the deployment zip (import names of test and development packages).
FORBIDDEN_IN_ZIP = ("moto", "pytest", "_pytest", "cfnlint", "cfn_lint", "playwright", "hypothesis",
                    "axe_playwright_python", "boto3", "botocore")

_TIMER = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "for name in sys.argv[1:]:\n"
    "    __import__(name)\n"
    "print(time.perf_counter() - start)\n"
)
_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def import_seconds(modules: tuple[str, ...], runs: int = RUNS) -> list[float]:
    """Import ``modules`` in ``runs`` fresh interpreters; seconds each."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _TIMER, *modules], cwd=ROOT, env=_environment(),
                             capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times


def measure(runs: int = RUNS) -> dict[str, float]:
    """Median import seconds of ``app`` and of the dependencies alone, interleaved."""
    app_times: list[float] = []
    dep_times: list[float] = []
    for _ in range(runs):  # interleaved, so that machine noise hits both alike
        dep_times += import_seconds(DEPENDENCIES, 1)
        app_times += import_seconds(APP, 1)
    app, deps = statistics.median(app_times), statistics.median(dep_times)
    return {"app": app, "dependencies": deps, "ratio": app / deps, "runs": runs}


def parse_importtime(text: str) -> list[tuple[str, int, int, list[str]]]:
    """``-X importtime`` output -> ``(module, self us, cumulative us, ancestors)``.

    Lines come children first; the indentation is the nesting depth."""
    rows = []
    for line in text.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            rows.append((match.group(4), int(match.group(1)), int(match.group(2)), len(match.group(3)) // 2))
    stack: list[tuple[int, str]] = []
    result = []
    for name, own, cumulative, depth in reversed(rows):  # parents before children
        while stack and stack[-1][0] >= depth:
            stack.pop()
        result.append((name, own, cumulative, [n for _, n in stack]))
        stack.append((depth, name))
    result.reverse()
    return result


def _importtime(modules: tuple[str, ...]) -> str:
    code = "".join(f"import {m}\n" for m in modules)
    return subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, env=_environment(),
                          capture_output=True, text=True, check=True).stderr


def _ours(name: str) -> bool:
    return name.split(".")[0] in OURS


def heavy_modules(runs: int = 5) -> tuple[list[tuple[str, float]], list[tuple[str, str, float]]]:
    """Our modules by median cumulative import ms; and, per module of ours, the
    packages (third-party or stdlib) it pulls in that the dependencies alone never
    import."""
    baseline = {name for name, *_ in parse_importtime(_importtime(DEPENDENCIES))}
    cumulative: dict[str, list[float]] = defaultdict(list)
    pulled: dict[tuple[str, str], list[float]] = defaultdict(list)
    for _ in range(runs):
        per_run: dict[tuple[str, str], float] = defaultdict(float)
        for name, own, total, ancestors in parse_importtime(_importtime(APP)):
            if _ours(name):
                cumulative[name].append(total / 1000)
            elif name not in baseline:
                importer = next((a for a in reversed(ancestors) if _ours(a)), "?")
                per_run[(importer, name.split(".")[0])] += own / 1000
        for key, value in per_run.items():
            pulled[key].append(value)
    ours = sorted(((n, statistics.median(v)) for n, v in cumulative.items()), key=lambda x: -x[1])
    extra = sorted(((i, p, statistics.median(v)) for (i, p), v in pulled.items()), key=lambda x: -x[2])
    return ours, extra


def zip_report(zip_path: Path | None = None) -> dict[str, object]:
    if zip_path is None:
        zip_path = ROOT / "build" / "dev" / "deployment.zip"
        if not zip_path.exists():
            from devtools.package import package

            zip_path = package("dev").zip_path
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        unzipped = sum(info.file_size for info in archive.infolist())
    tops = {name.split("/", 1)[0].removesuffix(".py") for name in names}
    forbidden = sorted({t.split("-")[0].lower() for t in tops} & set(FORBIDDEN_IN_ZIP))
    return {"path": zip_path, "bytes": zip_path.stat().st_size, "unzipped": unzipped, "forbidden": forbidden}


def main() -> int:
    timing = measure()
    print(f"import time, median of {timing['runs']} fresh interpreters each ({sys.executable})")
    print(f"  {'dependencies alone':<22} {timing['dependencies'] * 1000:8.1f} ms   ({', '.join(DEPENDENCIES)})")
    print(f"  {'app':<22} {timing['app'] * 1000:8.1f} ms")
    ok_ratio = timing["ratio"] <= TARGET_RATIO
    print(f"  {'ratio app/deps':<22} {timing['ratio']:8.2f}      target <= {TARGET_RATIO:.2f}"
          f"  {'ok' if ok_ratio else 'TARGET MISSED'}")
    ours, extra = heavy_modules()
    print("\nour modules by cumulative import time (median ms, -X importtime; nested modules included)")
    for name, ms in ours[:12]:
        print(f"  {ms:8.1f}  {name}")
    print("\npackages (third-party or stdlib) that only our modules import, not the dependencies alone")
    print("(median own ms, attributed to the nearest module of ours that imports them)")
    for importer, package_name, ms in extra[:12]:
        print(f"  {ms:8.1f}  {package_name:<22} via {importer}")
    report = zip_report()
    ok_zip = report["bytes"] <= TARGET_ZIP_BYTES and not report["forbidden"]
    print(f"\ndeployment zip {report['path']}")
    print(f"  {report['bytes'] / 1e6:.1f} MB zipped, {report['unzipped'] / 1e6:.1f} MB unzipped; "
          f"target <= {TARGET_ZIP_BYTES / 1e6:.0f} MB  {'ok' if report['bytes'] <= TARGET_ZIP_BYTES else 'TARGET MISSED'}")
    print(f"  test/development packages inside: {', '.join(report['forbidden']) or 'none'}")
    return 0 if ok_ratio and ok_zip else 1


if __name__ == "__main__":
    sys.exit(main())
