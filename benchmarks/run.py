"""Every performance figure of dprk-ru-data, measured in one run on the same files, side by side.

    python benchmarks/run.py                  # the full run (a few minutes; frictionless is slow)
    python benchmarks/run.py --tiny           # a quick smoke run at tiny sizes

1. Cold start: a fresh process loading `troop_estimates` against a fresh process doing the bare
   read of the same file (polars with the same schema; pandas), alternating, median of repeats.
2. The real build: `dprk-data build` on the committed raw/, wall time and peak memory.
3. Scale: synthetic, schema-valid raw tables (benchmarks/generate.py) at growing sizes of
   `troop_estimates`, each built by `dprk-data build`: time, rows per second, peak memory.
4. The anchor: `frictionless` validating the largest built `troop_estimates` against our own
   validation of it (`dprk-data check-build --table troop_estimates`).
5. The readers: a million distinct figure and date phrases, the finders over 10 MB of text and
   adversarial inputs, and the peak memory of `extract` on 10 MB (benchmarks/readers.py).
6. The site: the time of one expensive SQL call against a served site, and of an ordinary page
   while such calls run (benchmarks/site.py).

Every figure is printed with its target and whether it is met; the figures, the machine and the
date go to benchmarks/RESULTS.md. Timings never go into the tests, which only run --tiny.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


GIB = 2 ** 30


@dataclass
class Figure:
    """One measured figure, its target and whether the target is met."""

    name: str
    value: str
    target: str = ""
    met: bool | None = None

    def line(self) -> str:
        verdict = "" if self.met is None else ("met" if self.met else "NOT MET")
        target = f"target {self.target}" if self.target else ""
        return f"{self.name:<52} {self.value:>26}   {target:<22} {verdict}"


# The synthetic packages' spans point into synthetic texts: they are built without a corpus (a
# $DPRK_CORPUS set for the real texts would fail every span).
SYNTHETIC = {name: value for name, value in os.environ.items() if name != "DPRK_CORPUS"}


def measure(command: list[str], cwd: Path | None = None,
            env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time (s) and peak resident memory (bytes) of one child process."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors,
                                 env=env)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{errors.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss * 1024


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "dprk_ru_data", *args]


def alternate(contenders: dict[str, list[str]], repeat: int) -> dict[str, list[float]]:
    """Run each contender `repeat` times, taking turns, after one unmeasured warm-up each."""
    for command in contenders.values():
        measure(command)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, command in contenders.items():
            times[name].append(measure(command)[0])
    return times


def cold_start(repeat: int) -> list[Figure]:
    import dprk_ru_data
    from dprk_ru_data.loaders import data_root

    resource = next(r for r in dprk_ru_data.package()["resources"]
                    if r["name"] == "troop_estimates")
    path = str(data_root() / resource["path"])
    polars_types = {"string": "String", "integer": "Int64", "number": "Float64", "date": "Date",
                    "boolean": "Boolean"}
    schema = "{" + ", ".join(f"{f['name']!r}: polars.{polars_types[f['type']]}"
                             for f in resource["schema"]["fields"]) + "}"
    figures = []
    for backend, floor in (
            ("polars", f"import polars; polars.read_csv({path!r}, schema={schema})"),
            ("pandas", f"import pandas; pandas.read_csv({path!r})")):
        ours = ("import dprk_ru_data; "
                f"dprk_ru_data.load('troop_estimates', backend={backend!r})")
        times = alternate({"ours": python(ours), "floor": python(floor)}, repeat)
        mine, bare = statistics.median(times["ours"]), statistics.median(times["floor"])
        figures.append(Figure(f"cold start, {backend}: load() / bare read",
                              f"{mine:.3f} s / {bare:.3f} s = {mine / bare:.2f}x", "<= 1.25x",
                              mine / bare <= 1.25))
    return figures


def real_build(work: Path, repeat: int) -> list[Figure]:
    project = work / "committed"
    shutil.copytree(ROOT / "raw", project / "raw")
    for name in ("pyproject.toml", "RELEASES.json"):
        shutil.copy2(ROOT / name, project / name)
    runs = [measure(cli("build", str(project))) for _ in range(repeat)]
    seconds = statistics.median(t for t, _ in runs)
    peak = max(m for _, m in runs)
    rows = sum(1 for p in (project / "raw").glob("*.csv")
               for _ in p.open(encoding="utf-8")) - 7
    return [Figure("build of the committed raw/: wall time", f"{seconds:.2f} s ({rows:,} rows)"),
            Figure("build of the committed raw/: peak memory", f"{peak / 2**20:.0f} MiB")]


# Polars alone on the files of a build: reading every raw table as text, and writing every built
# table (read beforehand, untimed) as CSV; the floor the build's time is set against.
BARE = """
import json, sys, tempfile, time
from pathlib import Path
import polars as pl
root = Path(sys.argv[1])
start = time.perf_counter()
for path in sorted((root / "raw").glob("*.csv")):
    pl.read_csv(path, infer_schema=False)
read = time.perf_counter() - start
built = [pl.read_csv(path, infer_schema=False) for path in sorted((root / "build").glob("*.csv"))]
with tempfile.TemporaryDirectory() as out:
    start = time.perf_counter()
    for number, frame in enumerate(built):
        frame.write_csv(Path(out) / f"{number}.csv", line_terminator="\\n")
    write = time.perf_counter() - start
print(json.dumps({"read": read, "write": write}))
"""


def bare(target: Path) -> tuple[float, float]:
    """Polars' bare read of `target`'s raw tables and write of its built ones (seconds)."""
    done = subprocess.run([sys.executable, "-c", BARE, str(target)], capture_output=True,
                          text=True, check=True)
    times = json.loads(done.stdout)
    return times["read"], times["write"]


# The synthetic tables are made in a process of their own. A child's peak resident memory
# (wait4's ru_maxrss) counts the memory of the parent it was started from, so a parent that had
# made a million rows itself would add its own size to every build measured after it.
GENERATE = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from generate import generate
print(json.dumps(generate(Path(sys.argv[2]), int(sys.argv[3]))))
"""


def generated(target: Path, size: int) -> dict[str, int]:
    """Write the synthetic raw tables of `size` troop estimates at `target`: each table's rows."""
    done = subprocess.run([sys.executable, "-c", GENERATE, str(HERE), str(target), str(size)],
                          capture_output=True, text=True, check=True)
    counts: dict[str, int] = json.loads(done.stdout)
    return counts


def scale(work: Path, sizes: list[int]) -> tuple[list[Figure], Path]:
    figures, times, peaks = [], {}, {}
    largest = work / f"synthetic-{sizes[-1]}"
    for size in sizes:
        target = work / f"synthetic-{size}"
        counts = generated(target, size)
        seconds, peak = measure(cli("build", str(target)), env=SYNTHETIC)
        read, write = bare(target)
        times[size], peaks[size] = seconds, peak
        total = sum(counts.values())
        figures.append(Figure(f"build, {size:,} troop estimates ({total:,} rows in all)",
                              f"{seconds:.2f} s, {size / seconds:,.0f} rows/s"))
        figures.append(Figure(f"build, {size:,}: polars' bare read + write of its files",
                              f"{read:.2f} s + {write:.2f} s = {read + write:.2f} s"))
        figures.append(Figure(f"build, {size:,}: build / bare polars",
                              f"{seconds / (read + write):.1f}x"))
        figures.append(Figure(f"build, {size:,} troop estimates: peak memory",
                              f"{peak / 2**20:.0f} MiB"))
    big, before = sizes[-1], sizes[-2] if len(sizes) > 1 else sizes[-1]
    if big >= 1_000_000:
        figures.append(Figure(f"build of {big:,} rows under 10 s", f"{times[big]:.2f} s",
                              "< 10 s", times[big] < 10))
    if big > before:
        growth, allowed = times[big] / times[before], big / before
        figures.append(Figure(f"time growth {before:,} -> {big:,} rows",
                              f"{growth:.1f}x for {big // before}x the rows",
                              f"<= {allowed:.0f}x", growth <= allowed))
    figures.append(Figure(f"peak memory at {big:,} rows", f"{peaks[big] / GIB:.2f} GiB",
                          "< 1.5 GiB", peaks[big] < 1.5 * GIB))
    return figures, largest


# Each validator in a process of its own: imported, and warmed up on the committed (small)
# troop_estimates, so that what is timed is the validation of the large table alone.
TIMED_FRICTIONLESS = """
import sys, time, frictionless
warm, large = sys.argv[1:3]
frictionless.validate(warm)
start = time.perf_counter()
report = frictionless.validate(large)
seconds = time.perf_counter() - start
assert report.valid and report.tasks[0].stats["rows"] > 0, report.flatten(["type", "note"])[:3]
print(seconds)
"""
TIMED_OURS = """
import sys, time
from pathlib import Path
from dprk_ru_data.build import check_package
warm, large = map(Path, sys.argv[1:3])
assert not check_package(warm, ["troop_estimates"])
start = time.perf_counter()
problems = check_package(large, ["troop_estimates"])
seconds = time.perf_counter() - start
assert not problems, problems[:3]
print(seconds)
"""


def _standalone(folder: Path, resource: dict[str, object], name: str) -> Path:
    """A resource descriptor for frictionless beside the table it names (it refuses absolute
    paths), without the foreign keys, which it cannot follow alone."""
    schema = {k: v for k, v in dict(resource["schema"]).items()  # type: ignore[call-overload]
              if k != "foreignKeys"}
    standalone = {"name": "troop_estimates", "path": resource["path"],
                  "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8",
                  "schema": schema}
    path = folder / name
    path.write_text(json.dumps(standalone), encoding="utf-8")
    return path


def anchor(built: Path, repeat: int) -> list[Figure]:
    """frictionless validate of the largest built troop_estimates versus our validation: the
    validation call alone (after imports and a warm-up), and the whole command."""
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == "troop_estimates")
    large = _standalone(built, resource, "resource.json")
    committed = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    small = next(r for r in committed["resources"] if r["name"] == "troop_estimates")
    (built / "warm" / "build").mkdir(parents=True)
    shutil.copy2(ROOT / small["path"], built / "warm" / small["path"])
    warm = _standalone(built / "warm", small, "resource.json")
    theirs = float(subprocess.run(python(TIMED_FRICTIONLESS) + [str(warm), str(large)],
                                  capture_output=True, text=True, check=True).stdout)
    ours = statistics.median(
        float(subprocess.run(python(TIMED_OURS) + [str(ROOT), str(built)],
                             capture_output=True, text=True, check=True).stdout)
        for _ in range(repeat))
    command = cli("check-build", "--root", str(built), "--table", "troop_estimates")
    whole = statistics.median(measure(command)[0] for _ in range(repeat))
    rows = sum(1 for _ in (built / resource["path"]).open("rb")) - 1
    return [Figure(f"validate {rows:,} built rows: frictionless / ours", f"{theirs:.1f} s / "
                   f"{ours:.2f} s = {theirs / ours:.1f}x", ">= 50x", theirs / ours >= 50),
            Figure(f"validate {rows:,} built rows: `dprk-data check-build`, the whole command",
                   f"{whole:.2f} s")]


def normalisers(tiny: bool) -> list[Figure]:
    import readers

    return [Figure(name, f"{measured:.3f}", f"< {target:g}", measured < target)
            for name, measured, target, _ in readers.measure(tiny)]


def site(tiny: bool) -> list[Figure]:
    import importlib.util

    # benchmarks/site.py, loaded by its path: `import site` would give the standard library's.
    spec = importlib.util.spec_from_file_location("site_benchmark", HERE / "site.py")
    assert spec is not None and spec.loader is not None
    site_benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(site_benchmark)

    return [Figure(name, f"{measured:.3f} {unit}".strip(), f"< {target:g}", measured < target)
            for name, measured, target, unit in site_benchmark.measure(tiny)]


def machine() -> str:
    memory = next((int(line.split()[1]) * 1024 for line in open("/proc/meminfo")
                   if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    tools = ", ".join(f"{name} {version(name)}" for name in
                      ("polars", "pandas", "pyarrow", "pandera", "frictionless"))
    return (f"{os.cpu_count()} cores, {memory / GIB:.0f} GiB memory, {platform.machine()}, "
            f"Python {platform.python_version()}; {tools}")


def write_results(path: Path, figures: list[Figure], command: str) -> None:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmark results", "",
             f"Measured by `{command}` on {now}.", "", f"Machine: {machine()}.", "",
             "| figure | value | target | met |", "| --- | --- | --- | --- |"]
    for figure in figures:
        verdict = "" if figure.met is None else ("yes" if figure.met else "**no**")
        lines.append(f"| {figure.name} | {figure.value} | {figure.target} | {verdict} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="tiny sizes, few repeats: a smoke run")
    parser.add_argument("--sizes", default=None, help="comma-separated troop_estimates sizes")
    parser.add_argument("--repeat", type=int, default=None, help="repeats per timed contender")
    parser.add_argument("--sections", default=None,
                        help="comma-separated sections to run (cold start, real build, scale, "
                             "anchor, normalisers, site); default: all")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md",
                        help="where to write the figures (default: benchmarks/RESULTS.md)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("200,2000" if args.tiny else
                                             "10000,100000,1000000")).split(",")]
    repeat = args.repeat or (1 if args.tiny else 7)
    chosen = set(args.sections.split(",")) if args.sections else None
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="dprk-bench-") as scratch:
        work = Path(scratch)
        sections: list[tuple[str, Callable[[], list[Figure]]]] = [
            ("cold start", lambda: cold_start(repeat)),
            ("real build", lambda: real_build(work, min(repeat, 3))),
            ("scale", lambda: scale(work, sizes)[0]),
            ("anchor", lambda: anchor(work / f"synthetic-{sizes[-1]}", min(repeat, 3))),
            ("normalisers", lambda: normalisers(args.tiny)), ("site", lambda: site(args.tiny))]
        if chosen and "anchor" in chosen:
            chosen.add("scale")  # the anchor validates the largest synthetic build
        for section, run in sections:
            if chosen and section not in chosen:
                continue
            print(f"== {section}", flush=True)
            for figure in run():
                print(figure.line(), flush=True)
                figures.append(figure)
    judged = [f for f in figures if f.met is not None]
    missed = [f.name for f in judged if not f.met]
    print(f"== {len(judged) - len(missed)} of {len(judged)} targets met"
          + (f"; not met: {'; '.join(missed)}" if missed else ""))
    write_results(args.results, figures, "python benchmarks/run.py"
                  + (" --tiny" if args.tiny else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
