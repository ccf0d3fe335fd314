#!/usr/bin/env python3
"""Builds catalog/checklist/*.yaml (our schema, docs/catalog.md) from the research file
../shared/reference/checklist.yaml, which is vendored as catalog/reference/checklist.yaml.

Run once per reference update: python3 scripts/catalog_from_reference.py
Never edits wording: a text is copied with its verification grade, or left null when the
source has none. Items of the pharmacy and vendor forms whose wording for that form was not
found show the facility form's wording, graded `unverified` with a note saying so.
"""
import pathlib
import shutil
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "reference" / "checklist.yaml"
VENDORED = ROOT / "catalog" / "reference" / "checklist.yaml"

FORMS = {"facility": "医療機関確認用", "pharmacy": "薬局確認用", "vendor": "事業者確認用"}
FISCAL_YEARS = {"R5": 2023, "R6": 2024, "R7": 2025}
SCOPES = {"医療情報システム全般": "all_systems", "サーバ": "server", "端末PC": "pc", "ネットワーク機器": "network"}
GRADES = {True: "verified", False: "unverified", "manual_heading": "manual_heading",
          "secondary_single": "secondary_single"}
MANDATORY = {True: "required", False: "reference", "partial": "partial",
             "target_R9": "target_r9", "unverified": "unknown"}
BORROWED_NOTE = "本様式での文言は未取得のため、医療機関確認用の文言を表示しています。原本で確認してください。"


def scope(text):
    if not text:
        return []
    return [SCOPES[part.strip()] for part in text.replace("，", "、").split("、")]


def sources(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def item(base, form, known):
    number = base["id"]
    number_verified = bool(base.get("number_verified", True)) and not number.endswith("?") and number != "?"
    number = number.rstrip("?") if number != "?" else None
    text, grade, note = base.get("text"), GRADES[base.get("text_verified", False)], base.get("text_note")
    if form != "facility":
        if known is not None:
            text, grade, note = known.get("text"), GRADES[known.get("text_verified", False)], known.get("note")
        else:
            text = base.get("text_vendor") if form == "vendor" and base.get("text_vendor") else text
            grade, note = "unverified", BORROWED_NOTE
    if text is None:
        grade = "unverified"
    applies_when = [] if (base["key"] == "has_system" or form == "vendor") else ["has_system"]
    if base["key"] == "remote_maintenance" and form != "vendor":
        applies_when.append("vendor_contract")
    return {
        "key": base["key"],
        "number": number,
        "number_verified": number_verified,
        "section": base.get("section"),
        "text": text,
        "text_status": grade,
        "text_note": note,
        "scope": scope((known or {}).get("scope") or base.get("scope")),
        "guideline_refs": base.get("guideline_refs") or [],
        "guideline_refs_verified": bool(base.get("guideline_refs_verified")),
        "explanation_ja": base.get("summary_ja"),
        "applies_when": applies_when,
        "allow_not_applicable": base["key"] == "remote_maintenance" and form != "vendor",
        "mandatory": MANDATORY[base.get("mandatory", "unverified")],
        "sources": sources((known or {}).get("source_url") or base.get("source_url")),
    }


def edition(code, data, form):
    facility_items = data["forms"]["医療機関確認用"]["items"]
    form_data = data["forms"][FORMS[form]]
    known = {k["key"]: k for k in (form_data.get("items_known") or [])} if form != "facility" else {}
    items = []
    for base in facility_items:
        if form == "vendor" and base["key"] == "has_system":
            continue  # 事業者確認用 has no 「医療情報システムの有無」 (R6 note)
        # The pharmacy form follows the facility form's structure (same_structure_as in every edition).
        if form == "pharmacy" or FORMS[form] in base.get("forms", []) or base["key"] in known:
            items.append(item(base, form, known.get(base["key"])))
    notes = [data.get("notes")] + ([form_data.get("note")] if form != "facility" else [])
    return {
        "schema": 1,
        "kind": "checklist",
        "edition": code,
        "fiscal_year": FISCAL_YEARS[code],
        "form": form,
        "title": f"医療機関におけるサイバーセキュリティ対策チェックリスト {data['label']} {FORMS[form]}",
        "origin": "official",
        "published": str(data.get("published")),
        "sources": sources(data.get("source_urls")),
        "notes": "\n".join(n for n in notes if n),
        "items": items,
    }


def main():
    if SHARED.exists():
        VENDORED.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED, VENDORED)
    reference = yaml.safe_load(VENDORED.read_text(encoding="utf-8"))
    out = ROOT / "catalog" / "checklist"
    out.mkdir(parents=True, exist_ok=True)
    for code, data in reference["fiscal_years"].items():
        if code not in FISCAL_YEARS:
            continue
        for form in FORMS:
            path = out / f"{code.lower()}-{form}.yaml"
            header = "# Generated by scripts/catalog_from_reference.py from catalog/reference/checklist.yaml.\n# Schema: docs/catalog.md. Do not edit wording by hand; fix the reference and regenerate.\n"
            body = yaml.safe_dump(edition(code, data, form), allow_unicode=True, sort_keys=False, width=1000)
            path.write_text(header + body, encoding="utf-8")
            print(path.relative_to(ROOT), file=sys.stderr)


if __name__ == "__main__":
    main()
