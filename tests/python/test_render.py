"""Render every figure, table and the report from results of the real mmusim."""
import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from mmuanalysis import figures, report, tables
from mmuanalysis.load import apply_where, load, swept_columns

ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    return struct.unpack(">II", head[16:24])


def test_frame_layout(frame):
    assert len(frame) == 16
    for c in ("point", "trace", "seed", "workload", "derived.tlb_mpki.l2", "stats.timing.cycles",
              "stats.tlb.l2.by_size.4K.misses", "derived.walk_latency_histogram.counts"):
        assert c in frame.columns, c
    assert sorted(swept_columns(frame)) == ["mapper.page_size", "tlb.l2.arrays.0.entries"]
    assert frame["point"].nunique() == 4 and sorted(frame["seed"].unique()) == [1, 2]
    assert len(frame.attrs["configs"]) == 4


@pytest.mark.parametrize("name", list(figures.FIGURES))
def test_figure(frame, tmp_path, name):
    paths = figures.FIGURES[name](frame, tmp_path / name)
    assert sorted(Path(p).suffix for p in paths) == [".pdf", ".png"]
    for p in paths:
        assert os.path.getsize(p) > 1000, p
    w, h = png_size(next(p for p in paths if p.endswith(".png")))
    assert w == round(figures.WIDTH_IN * figures.DPI)  # one column of a two-column paper
    assert 0.4 * w <= h <= 1.2 * w


def test_figures_single_point(frame, tmp_path):
    df = apply_where(frame, ["mapper.page_size=4K", "tlb.l2.arrays.0.entries=768"])
    done, skipped = figures.render_all(df, tmp_path)
    # nothing swept any more: only the size sweep and the speedup need several points
    assert set(skipped) == {"mpki_vs_size", "huge_page_speedup"}
    assert "needs" in skipped["mpki_vs_size"] and "needs" in skipped["huge_page_speedup"]
    assert set(done) == set(figures.FIGURES) - set(skipped)


def test_tables(frame, tmp_path):
    paths, frames = tables.write_all(frame, tmp_path)
    for name, p in paths.items():
        tex = Path(p).read_text()
        for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
            assert rule in tex, (name, rule)
        # every row has as many cells as the header
        rows = [l for l in tex.splitlines() if l.endswith(r"\\")]
        assert len({l.count("&") for l in rows}) == 1, name
    summary = Path(paths["summary"]).read_text()
    assert r"\pm" in summary and "page size 4K" in summary and r"\%" in summary
    assert r"tlb.l2.arrays.0.entries".replace("_", r"\_") in Path(paths["points"]).read_text()
    assert len(frames["summary"]) == 8


def test_latex_escape():
    assert tables.latex_escape("a_b%c&d#e$f{g}~^\\") == \
        r"a\_b\%c\&d\#e\$f\{g\}\textasciitilde{}\textasciicircum{}\textbackslash{}"


def test_report(frame, tmp_path):
    out = tmp_path / "rep" / "report.html"
    path, done, skipped = report.write_report(frame, out, source="fixture")
    assert not skipped and len(done) == len(figures.FIGURES)
    html = out.read_text()
    for name in figures.FIGURES:
        src = f"report_files/{name}.png"
        assert f"src='{src}'" in html, name
        assert (out.parent / src).stat().st_size > 0
    assert html.count("<details>") == 4 and '"page_size": "2M"' in html
    assert "summary.tex" in html and "<table" in html


def _to_table(frame, path):
    """A sweep-style table (swept keys unprefixed, stats./derived. flattened)."""
    cols = ["point", "trace", "seed"] + swept_columns(frame) + \
        [c for c in frame.columns if c.startswith(("stats.", "derived."))]
    t = frame[cols].copy()
    t["point"] = [f"p{i:02d}" for i in range(len(t))]  # the sweep's run id: one per row
    t = t.drop(columns=["derived.walk_latency_histogram.counts"])  # the sweep skips arrays
    if path.suffix == ".csv":
        t.to_csv(path, index=False)
    else:
        path.write_text(json.dumps(t.to_dict(orient="records")))


@pytest.mark.parametrize("name", ["table.csv", "table.json"])
def test_sweep_table_input(frame, tmp_path, name):
    _to_table(frame, tmp_path / name)
    df = load(tmp_path)  # a sweep directory
    assert len(df) == 16 and df["point"].nunique() == 4 and df["point_id"].nunique() == 16
    assert sorted(swept_columns(df)) == ["mapper.page_size", "tlb.l2.arrays.0.entries"]
    done, skipped = figures.render_all(df, tmp_path / "figs")
    # the table has no arrays: the latency CDF needs the histograms of the result files
    assert set(skipped) == {"walk_latency_cdf"}, skipped
    a = figures.seed_summary(frame, ["workload"], "derived.translation_overhead")
    b = figures.seed_summary(df, ["workload"], "derived.translation_overhead")
    assert list(a["mean"]) == pytest.approx(list(b["mean"]))


def _cli(*args):
    env = dict(os.environ, PYTHONPATH=str(ANALYSIS))
    return subprocess.run([sys.executable, "-m", "mmuanalysis", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=300)


def test_cli(results_dir, tmp_path):
    r = _cli("--help")
    assert r.returncode == 0 and "figures" in r.stdout and "report" in r.stdout
    r = _cli("figures", results_dir, "-o", tmp_path / "f")
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "f").glob("*.png"))) == len(figures.FIGURES)
    r = _cli("tables", results_dir, "-o", tmp_path / "t")
    assert r.returncode == 0 and (tmp_path / "t" / "summary.tex").is_file(), r.stderr
    r = _cli("report", results_dir, "-o", tmp_path / "r.html")
    assert r.returncode == 0 and (tmp_path / "r_files").is_dir(), r.stderr


def test_cli_errors(tmp_path):
    r = _cli("figures", tmp_path / "missing", "-o", tmp_path / "o")
    assert r.returncode == 2 and "missing: no such file or directory" in r.stderr
    (tmp_path / "empty").mkdir()
    r = _cli("tables", tmp_path / "empty", "-o", tmp_path / "o")
    assert r.returncode == 2 and "no result files" in r.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.json").write_text("not json")
    r = _cli("report", tmp_path / "bad", "-o", tmp_path / "o.html")
    assert r.returncode == 2 and re.search(r"bad/x\.json: malformed JSON", r.stderr), r.stderr
    r = _cli("figures")
    assert r.returncode == 2 and "usage" in r.stderr


def test_cli_where(results_dir, tmp_path):
    r = _cli("figures", results_dir, "-o", tmp_path, "--where", "nokey=1")
    assert r.returncode == 2 and "no column nokey" in r.stderr
    r = _cli("figures", results_dir, "-o", tmp_path, "--where", "mapper.page_size=2M",
             "--only", "translation_overhead")
    assert r.returncode == 0 and (tmp_path / "translation_overhead.png").is_file(), r.stderr


def test_sweep_dir_with_points(results_dir, tmp_path):
    """A sweep directory: points/<id>.json with a "sweep" object; they win over the table."""
    pts = tmp_path / "points"
    pts.mkdir()
    for i, f in enumerate(sorted(results_dir.glob("*.json"))):
        res = json.loads(f.read_text())
        res["sweep"] = {"point": f"p{i:02d}", "trace": res["trace"]["source"], "seed": 100 + i % 2}
        (pts / f"p{i:02d}.json").write_text(json.dumps(res))
    (tmp_path / "table.csv").write_text("point,trace,seed\n")
    df = load(tmp_path)
    assert len(df) == 16 and df["point"].nunique() == 4 and sorted(df["seed"].unique()) == [100, 101]
    assert len(df.attrs["configs"]) == 4
    done, skipped = figures.render_all(df, tmp_path / "figs")
    assert not skipped, skipped


def test_cli_show(results_dir, frame):
    """`show` prints the requested columns, one line per result, values matching the frame."""
    r = _cli("show", results_dir, "--columns", "mapper.page_size,walker.walks,derived.ipc")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].split() == ["mapper.page_size", "walker.walks", "ipc"]
    assert len(lines) == 1 + len(frame)
    walks = sorted(int(line.split()[1]) for line in lines[1:])
    assert walks == sorted(int(v) for v in frame["stats.walker.walks"])
    r = _cli("show", results_dir)  # default columns: swept keys + headline metrics
    assert r.returncode == 0 and "walks_pki" in r.stdout, r.stderr
    r = _cli("show", results_dir, "--columns", "nosuchcolumn")
    assert r.returncode == 2 and "no column 'nosuchcolumn'" in r.stderr
    r = _cli("show", results_dir, "--columns", "misses")
    assert r.returncode == 2 and "ambiguous" in r.stderr
