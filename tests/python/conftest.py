"""Session fixture: run the real mmusim over a tiny sweep (2 L2-TLB sizes x 4K/2M pages x
2 generator workloads x 2 seeds, 100k accesses each) into a tmp dir of result JSONs."""
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "analysis"))

ENTRIES = (192, 768)
PAGE_SIZES = ("4K", "2M")
WORKLOADS = ("zipf,footprint=256M", "uniform,footprint=128M")
SEEDS = (1, 2)


def _mmusim():
    p = os.environ.get("MMUSIM", str(ROOT / "build" / "mmusim"))
    if not Path(p).is_absolute():
        p = str(ROOT / p)
    return p


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory):
    exe = _mmusim()
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        pytest.skip(f"mmusim not built at {exe} (build it, or set MMUSIM=/path/to/mmusim)")
    d = tmp_path_factory.mktemp("results")
    for e, ps, w, s in itertools.product(ENTRIES, PAGE_SIZES, WORKLOADS, SEEDS):
        kind = w.split(",")[0]
        out = d / f"e{e}_{ps}_{kind}_s{s}.json"
        cmd = [exe, "run", "-q", "-o", str(out), "--set", f"tlb.l2.arrays.0.entries={e}",
               "--set", f"mapper.page_size={ps}", f"gen:{w},accesses=100k,seed={s}"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"{' '.join(cmd)} failed: {r.stderr}"
    return d


@pytest.fixture(scope="session")
def frame(results_dir):
    from mmuanalysis.load import load
    return load(results_dir)


@pytest.fixture(scope="session")
def one_result(results_dir):
    return sorted(results_dir.glob("*.json"))[0]


def copy_one(src, dst_dir):
    dst_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, dst_dir / src.name)
    return dst_dir / src.name
