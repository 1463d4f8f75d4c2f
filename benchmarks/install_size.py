"""How much a user installs: the wheel's own size with every release stored in it, and the wheel
in a fresh virtual environment, data-only and with the build extra, each measured as the size of
its site-packages.

    python benchmarks/install_size.py

Before the data-only install (0.2.0), every install brought the build stack: 254 MB.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE_MB = 254  # site-packages of `pip install dprk-ru-data` 0.1.x, with the build stack
RELEASE_TARGET_KB = 1000  # each stored release: well under a megabyte


def stored_releases(wheel: Path) -> None:
    """Print the wheel's size and what its stored releases take, each against the target."""
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        stored = sorted((info.filename.rsplit("/", 1)[-1], info.file_size)
                        for info in archive.infolist()
                        if "/_data/releases/" in info.filename)
        data = sum(info.file_size for info in archive.infolist() if "/_data/" in info.filename)
    total = sum(size for _, size in stored)
    wheel_kb = wheel.stat().st_size / 1000
    print(f"wheel: {wheel_kb:.0f} kB on disk, {data / 1000:.0f} kB of data unpacked, of which "
          f"{len(stored)} stored releases take {total / 1000:.0f} kB "
          f"({total / wheel.stat().st_size:.0%} of the wheel's size)")
    for name, size in stored:
        ratio = size / 1000 / RELEASE_TARGET_KB
        print(f"  {name}: {size / 1000:.0f} kB, {ratio:.2f} of the {RELEASE_TARGET_KB} kB target "
              f"per release ({'met' if ratio < 1 else 'NOT met'})")


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1_000_000


def installed(wheel: Path, extra: str, where: Path) -> tuple[float, list[str]]:
    """The site-packages size (MB) and the distributions of a fresh install of `wheel[extra]`."""
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    requirement = f"{wheel}[{extra}]" if extra else str(wheel)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", requirement], check=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True,
                          check=True).stdout.strip()
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format", "freeze"],
                            capture_output=True, text=True, check=True).stdout.split()
    return size_mb(Path(site)), sorted(line.split("==")[0] for line in listed
                                       if not line.startswith(("pip==", "setuptools==")))


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                        str(out), str(ROOT)], check=True, capture_output=True)
        wheel = next(out.glob("dprk_ru_data-*.whl"))
        stored_releases(wheel)
        print(f"before: every install brought the build stack: {BEFORE_MB} MB")
        for extra in ("", "build"):
            size, packages = installed(wheel, extra, out / f"env-{extra or 'data'}")
            label = "data only" if not extra else f"with [{extra}]"
            print(f"{label}: {size:.0f} MB ({size / BEFORE_MB:.0%} of before): "
                  f"{', '.join(packages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
