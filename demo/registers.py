"""The national register files: five files in five shapes, split by qualification and period as
the ministries publish them."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from pilotdw.demo import vocab
from pilotdw.demo.codes import broken_check_digit, day, stream
from pilotdw.demo.population import Population, register_rows
from pilotdw.demo.shapes import Chunk, Landing, Shape

BAD_RATE = 0.0025
_QUAL_ZH = {q: labels for q, labels in vocab.QUALIFICATION_LABELS.items()}
_LG_BATCH = {2019: "第一批", 2020: "第二批", 2021: "第三批", 2022: "第四批", 2023: "第五批", 2024: "第六批",
             2025: "第七批"}


def _files() -> list[tuple[str, str, Shape, bool]]:
    """(file name, row filter, shape, locality column filled for every row)."""
    return [
        ("国家知识产权示范企业名单（2013-2025年度）.xlsx", "ip_demonstration",
         Shape("xlsx", (("seq", "序号"), ("name", "企业名称"), ("uscc", "统一社会信用代码"), ("locality_code", "所属地区"),
                        ("recognized_year", "认定年度"), ("qualification", "资质类型"), ("revoked_year", "撤销年度"),
                        ("remark", "备注")),
               values={"qualification": {"ip_demonstration": _QUAL_ZH["ip_demonstration"]}},
               title="国家知识产权示范企业名单（2013—2025年度）", sheet="示范企业名单",
               notes=("填报说明", ("本名单根据国家知识产权局历年公布的示范企业名单整理。", "撤销年度：自该年度起不再具有示范企业资格。"))),
         True),
        ("ip_advantage_2013-2022.csv", "ip_advantage<=2022",
         Shape("csv", (("uscc", "uscc"), ("name", "name"), ("qualification", "qualification"),
                       ("recognized_year", "recognized_year"), ("locality_code", "locality_code"),
                       ("revoked_year", "revoked_year"))), True),
        ("国家知识产权优势企业名单_2023-2025.csv", "ip_advantage>=2023",
         Shape("csv", (("uscc", "统一社会信用代码"), ("name", "单位名称"), ("qualification", "类型"),
                       ("recognized_year", "认定年份"), ("locality_code", "地区代码"), ("revoked_year", "取消年度")),
               encoding="gb18030", years="cjk", values={"qualification": {"ip_advantage": _QUAL_ZH["ip_advantage"]}}),
         False),
        ("专精特新小巨人企业名单_第一至四批.csv", "little_giant<=2022",
         Shape("csv", (("uscc", "信用代码"), ("name", "企业名称"), ("qualification", "资质类型"),
                       ("recognized_year", "认定年度"), ("batch_label", "批次"), ("locality_code", "所属地区"),
                       ("revoked_year", "撤销年度")),
               encoding="utf-8-sig", values={"qualification": {"little_giant": _QUAL_ZH["little_giant"]}}), False),
        ("little_giant_2023-2025.tsv", "little_giant>=2023",
         Shape("tsv", (("uscc", "ＵＳＣＣ"), ("name", " Ｎａｍｅ "), ("qualification", "Qualification"),
                       ("recognized_year", "Recognized_Year"), ("locality_code", "Locality_Code"),
                       ("revoked_year", "Revoked_Year")),
               values={"qualification": {"little_giant": ("国家级专精特新小巨人企业",)}}), True),
    ]


def _which(rows: pd.DataFrame) -> np.ndarray:
    q, y = rows["qualification"].to_numpy(), rows["recognized_year"].to_numpy()
    return np.select([q == "ip_demonstration", (q == "ip_advantage") & (y <= 2022), q == "ip_advantage",
                      (q == "little_giant") & (y <= 2022)],
                     ["ip_demonstration", "ip_advantage<=2022", "ip_advantage>=2023", "little_giant<=2022"],
                     "little_giant>=2023")


def write(seed: int, pop: Population, landing: Landing) -> Counter:
    rng = stream(seed, "registers/files")
    rows = register_rows(pop)
    rows["remark"] = np.where(rows["revoked_year"].notna(), "复核不合格，撤销资格", "")
    rows["batch_label"] = pd.Series(rows["recognized_year"]).map(_LG_BATCH).fillna("").to_numpy()
    rows["file"] = _which(rows)
    rows["order"] = rng.random(len(rows))
    rows = rows.sort_values(["recognized_year", "locality_code", "order"], kind="stable").reset_index(drop=True)

    kinds = ("bad_uscc", "bad_year", "unknown_locality")
    n_bad = max(1, int(round(len(rows) * BAD_RATE)))
    picks = np.sort(rng.choice(len(rows), n_bad, replace=False))
    bad_rows = rows.iloc[picks].copy().reset_index(drop=True)
    bad_kind = [kinds[i % len(kinds)] for i in range(n_bad)]
    counts = Counter(bad_kind)
    broken = broken_check_digit(bad_rows["uscc"].to_numpy(dtype="U18"), rng)
    for i, kind in enumerate(bad_kind):
        if kind == "bad_uscc":
            bad_rows.at[i, "uscc"] = broken[i]
        elif kind == "unknown_locality":
            bad_rows.at[i, "locality_code"] = "990000"

    for name, key, shape, filled in _files():
        part = rows[rows["file"] == key].reset_index(drop=True)
        extra = bad_rows[bad_rows["file"] == key]
        extra_kinds = [bad_kind[i] for i in extra.index]
        extra = extra.reset_index(drop=True)
        if not filled:
            keep = pop.ents["explicit_locality"].to_numpy()[part["ent"].to_numpy()]
            part["locality_code"] = np.where(keep, part["locality_code"], "")
            extra["locality_code"] = np.where(pd.Series(extra_kinds) == "unknown_locality", extra["locality_code"],
                                              np.where(pop.ents["explicit_locality"].to_numpy()[extra["ent"].to_numpy()],
                                                       extra["locality_code"], ""))
        at = np.sort(rng.integers(0, len(part) + 1, len(extra)))
        pieces, bad_flags, prev = [], [], 0
        overrides: dict[str, dict[int, str]] = {}
        for j, pos in enumerate(at):
            pieces.append(part.iloc[prev:pos])
            bad_flags.append(np.zeros(pos - prev, bool))
            row = extra.iloc[[j]]
            pieces.append(row)
            bad_flags.append(np.ones(1, bool))
            if extra_kinds[j] == "bad_year":
                here = sum(len(p) for p in pieces) - 1
                year = str(int(row["recognized_year"].iloc[0]))
                overrides.setdefault("recognized_year", {})[here] = "".join("〇一二三四五六七八九"[int(c)] for c in year)
            prev = pos
        pieces.append(part.iloc[prev:])
        bad_flags.append(np.zeros(len(part) - prev, bool))
        frame = pd.concat(pieces, ignore_index=True)
        frame["seq"] = np.arange(1, len(frame) + 1)
        if not len(frame):
            continue
        landing.write_frame("registers", name, shape, day(2026, 1, 10), Chunk(frame, np.concatenate(bad_flags), overrides))
    return counts
