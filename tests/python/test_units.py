"""Unit tests on hand-computed numbers: flattening, geomean, Student-t CIs, error handling."""
import json
import math

import numpy as np
import pandas as pd
import pytest

from mmuanalysis.load import (AnalysisError, flatten, geomean, load, mean_ci, seed_summary,
                              strip_seed, t_quantile, trace_seed, workload_labels)


def test_flatten_nested_and_lists():
    tree = {"tlb": {"l2": {"arrays": [{"entries": 64, "page_sizes": ["4K", "2M"]}, {"entries": 16}]}},
            "h": {"bucket_cycles": 4, "counts": [0, 2, 1]}, "x": 1.5}
    f = flatten(tree)
    assert f["tlb.l2.arrays.0.entries"] == 64
    assert f["tlb.l2.arrays.1.entries"] == 16
    assert f["tlb.l2.arrays.0.page_sizes"] == ["4K", "2M"]
    assert f["h.counts"] == [0, 2, 1] and f["h.bucket_cycles"] == 4 and f["x"] == 1.5
    g = flatten(tree, "config", keep_lists=False)
    assert g["config.tlb.l2.arrays.0.page_sizes"] == "[4K,2M]"


def test_seed_parsing():
    assert trace_seed("gen:zipf,footprint=64M,seed=7") == 7
    assert trace_seed("traces/x.mtr") is None
    assert strip_seed("gen:zipf,seed=7,footprint=64M") == "gen:zipf,footprint=64M"


def test_workload_labels_distinct():
    lab = workload_labels(["gen:zipf,footprint=64M", "gen:zipf,footprint=1G", "gen:uniform,footprint=1G",
                           "/x/y/mcf.mtr.zst"])
    assert lab["gen:uniform,footprint=1G"] == "uniform"
    assert lab["gen:zipf,footprint=64M"] == "zipf(footprint=64M)"
    assert lab["/x/y/mcf.mtr.zst"] == "mcf"
    assert len(set(lab.values())) == 4


def test_geomean():
    assert geomean([1, 4, 16]) == pytest.approx(4.0)
    assert geomean([2, 8]) == pytest.approx(4.0)
    with pytest.raises(ValueError):
        geomean([1, 0])
    with pytest.raises(ValueError):
        geomean([])


@pytest.mark.parametrize("df,q", [(1, 12.706205), (2, 4.302653), (3, 3.182446), (4, 2.776445),
                                  (9, 2.262157), (10, 2.228139), (30, 2.042272)])
def test_t_quantile_table(df, q):
    assert t_quantile(0.95, df) == pytest.approx(q, abs=1e-5)


def test_mean_ci_hand_computed():
    # values 1,2,3,4,5: mean 3, s = sqrt(2.5), half-width = t(0.975, 4) * s / sqrt(5)
    m, h = mean_ci([1, 2, 3, 4, 5])
    assert m == 3
    assert h == pytest.approx(2.776445 * math.sqrt(2.5) / math.sqrt(5), rel=1e-6)
    # two values 10, 12: s = sqrt(2), h = 12.706 * sqrt(2) / sqrt(2) = 12.706
    m, h = mean_ci([10, 12])
    assert (m, h) == (11, pytest.approx(12.706205, abs=1e-5))
    assert mean_ci([5.0]) == (5.0, 0.0)


def test_seed_summary_pools_rows_of_a_seed_first():
    d = pd.DataFrame({"point": ["a"] * 4, "workload": ["w1", "w2", "w1", "w2"], "seed": [1, 1, 2, 2],
                      "v": [1.0, 3.0, 3.0, 5.0]})
    s = seed_summary(d, ["point"], "v")
    # per-seed means: 2 and 4 -> mean 3, half-width 12.706 * sqrt(2) / sqrt(2)
    assert s.loc[0, "mean"] == 3 and s.loc[0, "ci"] == pytest.approx(12.706205, abs=1e-5)
    assert s.loc[0, "n"] == 2


def test_empty_dir(tmp_path):
    with pytest.raises(AnalysisError, match="no result files"):
        load(tmp_path)


def test_missing_path(tmp_path):
    with pytest.raises(AnalysisError, match="no such file"):
        load(tmp_path / "nope")


def test_malformed_json_names_file(tmp_path):
    (tmp_path / "good.json").write_text("{}")
    bad = tmp_path / "broken.json"
    bad.write_text('{"mmusim": {')
    with pytest.raises(AnalysisError, match=r"broken\.json: malformed JSON"):
        load(tmp_path)


def test_not_a_result_names_file(tmp_path):
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(AnalysisError, match=r"other\.json: not an mmusim result"):
        load(tmp_path)


def test_empty_csv(tmp_path):
    (tmp_path / "table.csv").write_text("")
    with pytest.raises(AnalysisError, match=r"table\.csv: empty table"):
        load(tmp_path / "table.csv")
