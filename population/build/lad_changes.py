"""English local authority districts abolished between April 2015 and April 2023, and the
2023 district (LAD23) each one became part of.

Every change listed here is a *union of whole districts*: each old district went, whole,
into exactly one new district; no old district was split.  (Cumbria's six districts were not
split either: Allerdale, Carlisle and Copeland became Cumberland; Barrow-in-Furness, Eden and
South Lakeland became Westmorland and Furness.)  So a 2023 district's figure is the plain sum
of its old districts; nothing is apportioned.

Sources (codes and memberships):
- 2019 (Suffolk, Dorset and Bournemouth/Christchurch/Poole), 2020 (Buckinghamshire) and
  2021 (Northamptonshire): ONS code changes as tabulated in the R package ``ukgeog``,
  repository ``l-hodge/ukgeog``, file ``data-raw/la-boundary-changes.R``, commit
  ``1224f984c350f3171e6b67a6a29136aeda51811b`` (data frames ``suff1819``, ``dors1819``,
  ``lookup_1920``, ``lookup_2021``).
- 2019 Somerset West and Taunton (E07000246 = Taunton Deane + West Somerset) and the
  April-2019 unions: mySociety MapIt, ``mapit_gb/management/commands/
  mapit_UK_add_2019_structural_changes.py`` (commit ``5daf32cedc3407b6e906a1ea4cacb62de77cf940``),
  which builds each new council's boundary as the union of the old districts' boundaries.
  Both Taunton Deane and West Somerset then went into Somerset (E06000066) in 2023.
- 2023 (Cumberland, Westmorland and Furness, North Yorkshire, Somerset): ONS Open Geography
  Portal lookup "LAD22_LAD23_UK_LU_v1", as saved in repository ``tompickup23/ukdemographics``,
  ``src/data/lookups/lad22-to-lad23.json`` (commit ``c80e783913c81a4b21fe31baa07d2cebfb07c336``),
  in which each changed 2022 district appears under exactly one 2023 district; MapIt's
  ``mapit_UK_add_2023_structural_changes.py`` (commit ``8cac6382cfca999fe1f275aa11f96b7ece3b9ae8``)
  builds the same four unitaries from the same whole districts.

Districts whose codes changed in 2012-2014 because of minor boundary changes (St Albans,
Welwyn Hatfield, East Hertfordshire, Stevenage, Northumberland, Gateshead) are not listed:
both the Nomis mid-year estimates and the Nomis Census 2011 table used here already carry
the post-2014 codes (E07000240-E07000243, E06000057, E08000037), which are also the 2023 codes.
"""

from __future__ import annotations

# 2023 district code -> (2023 name, [(old code, old name), ...])
UNIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    # 1 April 2019
    "E06000058": ("Bournemouth, Christchurch and Poole", [
        ("E06000028", "Bournemouth"), ("E06000029", "Poole"), ("E07000048", "Christchurch")]),
    "E06000059": ("Dorset", [
        ("E07000049", "East Dorset"), ("E07000050", "North Dorset"), ("E07000051", "Purbeck"),
        ("E07000052", "West Dorset"), ("E07000053", "Weymouth and Portland")]),
    "E07000244": ("East Suffolk", [("E07000205", "Suffolk Coastal"), ("E07000206", "Waveney")]),
    "E07000245": ("West Suffolk", [("E07000201", "Forest Heath"), ("E07000204", "St Edmundsbury")]),
    # 1 April 2020
    "E06000060": ("Buckinghamshire", [
        ("E07000004", "Aylesbury Vale"), ("E07000005", "Chiltern"), ("E07000006", "South Bucks"),
        ("E07000007", "Wycombe")]),
    # 1 April 2021
    "E06000061": ("North Northamptonshire", [
        ("E07000150", "Corby"), ("E07000152", "East Northamptonshire"), ("E07000153", "Kettering"),
        ("E07000156", "Wellingborough")]),
    "E06000062": ("West Northamptonshire", [
        ("E07000151", "Daventry"), ("E07000154", "Northampton"), ("E07000155", "South Northamptonshire")]),
    # 1 April 2023
    "E06000063": ("Cumberland", [
        ("E07000026", "Allerdale"), ("E07000028", "Carlisle"), ("E07000029", "Copeland")]),
    "E06000064": ("Westmorland and Furness", [
        ("E07000027", "Barrow-in-Furness"), ("E07000030", "Eden"), ("E07000031", "South Lakeland")]),
    "E06000065": ("North Yorkshire", [
        ("E07000163", "Craven"), ("E07000164", "Hambleton"), ("E07000165", "Harrogate"),
        ("E07000166", "Richmondshire"), ("E07000167", "Ryedale"), ("E07000168", "Scarborough"),
        ("E07000169", "Selby")]),
    # Taunton Deane and West Somerset merged as Somerset West and Taunton (E07000246) in 2019;
    # that district went into Somerset in 2023.
    "E06000066": ("Somerset", [
        ("E07000187", "Mendip"), ("E07000188", "Sedgemoor"), ("E07000189", "South Somerset"),
        ("E07000190", "Taunton Deane"), ("E07000191", "West Somerset")]),
}


def old_to_new() -> dict[str, str]:
    """Old district code -> 2023 district code, for the abolished districts only."""
    out: dict[str, str] = {}
    for new, (_, olds) in UNIONS.items():
        for code, _name in olds:
            if code in out:
                raise ValueError(f"{code} listed under two 2023 districts")
            out[code] = new
    return out


def map_codes(codes, lad23_codes) -> dict[str, str]:
    """Map every old English district code to a 2023 district code.

    A code that is itself a 2023 district maps to itself; an abolished one maps through
    :data:`UNIONS`.  Any other code is an error (it would need an apportionment, which
    is never done here).
    """
    lad23 = set(lad23_codes)
    changed = old_to_new()
    out = {}
    for c in codes:
        if c in lad23:
            if c in changed:
                raise ValueError(f"{c} is both a 2023 district and an abolished one")
            out[c] = c
        elif c in changed:
            out[c] = changed[c]
        else:
            raise ValueError(f"district {c} is neither a 2023 district nor a known union member")
    return out
