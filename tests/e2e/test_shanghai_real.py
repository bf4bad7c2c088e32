"""Shanghai's real first batch (213 units, names only) against a register of its nationally
qualified units written by this test: eligible, non-eligible and unmatched counts computed here,
independently of the pipeline, from the test's own truth."""
from __future__ import annotations

import csv
import unicodedata

import pandas as pd
import pytest

from pilotdw.sources.uscc import check_digit
from tests.conftest import REAL_SHANGHAI
from tests.e2e.conftest import run_pipeline

pytestmark = pytest.mark.slow


def uscc(division: str, n: int) -> str:
    first17 = f"91{division}MA{n:07d}"[:17]
    return first17 + check_digit(first17)


def key(name: str) -> str:
    """The test's own reading of the matching rule: NFKC, no whitespace, one bracket shape."""
    text = "".join(unicodedata.normalize("NFKC", name).split())
    return text.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")


@pytest.fixture(scope="module")
def shanghai(tmp_path_factory):
    base = tmp_path_factory.mktemp("shanghai")
    landing, home = base / "landing", base / "home"
    for source in ("registers", "pilots", "assessments", "filings"):
        (landing / source).mkdir(parents=True)
    (landing / "pilots" / "310000_2023_b1_首批名单.tsv").write_bytes(REAL_SHANGHAI.read_bytes())

    names = pd.read_csv(REAL_SHANGHAI, sep="\t", dtype=str)["单位名称"].tolist()
    companies = [n for n in names if "公司" in n]
    register: list[list[object]] = []
    truth = {"eligible": set(), "elsewhere": set(), "revoked": set(), "ambiguous": set(), "absent": set()}
    for i, name in enumerate(companies):
        if i % 10 == 3:  # a national register holds it, but under Beijing: counted for Shanghai's list, not eligible there
            register.append([uscc("110108", i), name, "国家知识产权优势企业", 2020, "", ""])
            truth["elsewhere"].add(key(name))
        elif i % 10 == 5:  # revoked in 2022: no longer eligible in 2023
            register.append([uscc("310104", i), name, "国家知识产权示范企业", 2018, "", 2022])
            truth["revoked"].add(key(name))
        elif i % 10 == 7:  # two Shanghai register entries with the same name: ambiguous, never eligible
            register.append([uscc("310104", i), name, "专精特新小巨人企业", 2021, "", ""])
            register.append([uscc("310115", 5000 + i), name.replace("（", "(").replace("）", ")"), "国家知识产权优势企业", 2019, "", ""])
            truth["ambiguous"].add(key(name))
        elif i % 10 == 9:  # on no national register (a provincial-level qualification)
            truth["absent"].add(key(name))
        else:
            register.append([uscc("310104", i), name, "国家知识产权优势企业" if i % 2 else "专精特新小巨人企业", 2016 + i % 7, "", ""])
            truth["eligible"].add(key(name))
    # non-companies (hospital, institute, centre) are on no national register: unmatched
    truth["absent"] |= {key(n) for n in names if "公司" not in n}
    with (landing / "registers" / "national.csv").open("w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["统一社会信用代码", "企业名称", "资质类型", "认定年度", "地区代码", "撤销年度"])
        writer.writerows(register)
    run = run_pipeline(landing, home)
    return run, truth, len(names)


def test_the_run_publishes(shanghai):
    run, _, _ = shanghai
    assert run.returncode == 0, run.stdout + run.stderr


def test_dbt_target_and_log_are_kept_with_the_build_not_in_the_project(shanghai):
    """dbt's per-run target folder lives in <home>/builds/<run_id>/ (pruned with the build), never
    under dbt_project/target, where one folder per nightly run would pile up."""
    from pilotdw import settings
    run, _, _ = shanghai
    (run_dir,) = [p for p in (run.home / "builds").iterdir() if p.is_dir()]
    assert (run_dir / "dbt.log").stat().st_size > 0
    assert (run_dir / "dbt_target" / "run_results.json").exists()
    assert not list((settings.DBT_PROJECT_DIR / "target").glob(f"dbt_models-{run_dir.name[:7]}*"))


def test_dbt_reuses_the_parse_state_saved_by_make_setup(shanghai):
    """The nightly build does not re-parse the dbt project (issue 17): its profile values, --vars and
    target equal those of orchestration/dbt_parse.py, so dbt takes the saved partial-parse state and
    finds nothing changed. dbt names the reason in its log when it cannot ("Unable to do partial
    parsing because …")."""
    run, _, _ = shanghai
    (run_dir,) = [p for p in (run.home / "builds").iterdir() if p.is_dir()]
    log = (run_dir / "dbt_target" / "dbt.log").read_text(encoding="utf-8")
    assert "Unable to do partial parsing" not in log
    assert "PartialParsingSkipParsing" in log  # "Partial parsing enabled, no changes found, skipping parsing"


def test_coverage_counts_equal_the_independent_truth(shanghai):
    run, truth, rows = shanghai
    (got,) = run.sql(
        "SELECT batch_pilots, batch_eligible_pilots, non_eligible_pilots, unmatched_pilots "
        "FROM marts.coverage_by_locality_year WHERE locality_code = '310000' AND year = 2023"
    )
    unmatched = len(truth["absent"]) + len(truth["ambiguous"])
    eligible = len(truth["eligible"])
    # every one of the 213 distinct names is one enterprise: matched ones by USCC, the rest by name
    assert rows == 213
    assert got == (213, eligible, 213 - eligible, unmatched)


def test_match_status_per_row(shanghai):
    run, truth, _ = shanghai
    status = dict(run.sql("SELECT name_key, match_status FROM marts.fct_pilot_membership WHERE locality_code = '310000' AND year = 2023"))
    assert {k for k, s in status.items() if s == "ambiguous"} == truth["ambiguous"]
    assert {k for k, s in status.items() if s == "unmatched"} == truth["absent"]
    assert {k for k, s in status.items() if s == "matched"} == truth["eligible"] | truth["elsewhere"] | truth["revoked"]
    mismatched = {k for (k,) in run.sql("SELECT name_key FROM marts.fct_pilot_membership WHERE locality_mismatch")}
    assert mismatched == truth["elsewhere"]


def test_the_unmatched_share_warns_but_does_not_block(shanghai):
    run, _, _ = shanghai
    assert "[warn] pilot_unmatched_share" in run.stdout
