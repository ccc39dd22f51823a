"""`make bench` includes the cold-start and size benchmark (its figures are printed,
not asserted: the machine matters; see the lead's report for the measurements)."""

from __future__ import annotations

from devtools import bench, bench_coldstart


def test_make_bench_runs_the_cold_start_benchmark():
    assert "devtools.bench_coldstart" in [name for name, _ in bench.MODULES]
    assert callable(bench_coldstart.main)


def test_import_times_are_measured_in_fresh_interpreters():
    timing = bench_coldstart.measure(runs=1)
    assert timing["app"] > 0 and timing["dependencies"] > 0
    assert timing["ratio"] == timing["app"] / timing["dependencies"]


def test_importtime_output_is_attributed_to_the_importing_module():
    text = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:       100 |        100 |     botocore.client",
        "import time:        50 |        150 |   pynamodb.connection",
        "import time:        10 |        160 | chalicelib.store",
        "import time:         5 |          5 | json",
    ])
    rows = {name: (own, total, ancestors) for name, own, total, ancestors in bench_coldstart.parse_importtime(text)}
    assert rows["botocore.client"] == (100, 100, ["chalicelib.store", "pynamodb.connection"])
    assert rows["chalicelib.store"] == (10, 160, [])
    assert rows["json"] == (5, 5, [])


def test_the_zip_report_flags_development_packages(tmp_path):
    import zipfile

    path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("app.py", "")
        archive.writestr("pytest/__init__.py", "")
        archive.writestr("moto-5.2.5.dist-info/METADATA", "")
    report = bench_coldstart.zip_report(path)
    assert report["forbidden"] == ["moto", "pytest"]
