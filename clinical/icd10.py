"""ICD-10-CM codes from the offline CMS code list shipped by the ``simple-icd-10-cm`` package.

Only billable codes (leaves of the classification, e.g. ``E11.9``, ``S72.001A``) may be recorded as
diagnoses; categories such as ``E11`` or ``M54.5`` have more specific children and are refused.
Codes are stored upper-case with their dot (``E11.9``).
"""

import re
import warnings
from functools import lru_cache

with warnings.catch_warnings():
    # The package reads its data with importlib.resources' legacy API (a DeprecationWarning on import).
    warnings.simplefilter("ignore", DeprecationWarning)
    import simple_icd_10_cm as _cm

_CODE_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


def normalise(code):
    """'e119 ' -> 'E11.9'; anything that does not look like a code comes back stripped and upper-cased."""
    code = (code or "").strip().upper()
    if _CODE_SHAPE.match(code) and _cm.is_valid_item(code):
        return _cm.add_dot(code)
    return code


def is_billable(code):
    code = normalise(code)
    return bool(_CODE_SHAPE.match(code)) and _cm.is_valid_item(code) and _cm.is_leaf(code)


def is_known(code):
    code = normalise(code)
    return bool(_CODE_SHAPE.match(code)) and _cm.is_valid_item(code)


def description(code):
    return _cm.get_description(normalise(code))


@lru_cache(maxsize=1)
def billable_codes():
    """[(code, description, lower-case description), ...] of every billable code, in code order."""
    rows = []
    # The dotted list is in the same order as the plain one (add_dot() per code would scan the list each time).
    for code, dotted in zip(_cm.get_all_codes(False), _cm.get_all_codes(True), strict=True):
        if _cm.is_leaf(code):
            text = _cm.get_description(code)
            rows.append((dotted, text, text.lower()))
    return rows


# Abbreviations and everyday names clinicians type, as the words of the code list. A query word (or phrase)
# found here is searched as its expansion: "afib" finds atrial fibrillation, not placental afibrinogenemia.
SYNONYMS = {
    "afib": "atrial fibrillation",
    "a fib": "atrial fibrillation",
    "af": "atrial fibrillation",
    "aflutter": "atrial flutter",
    "htn": "hypertension",
    "hbp": "hypertension",
    "high blood pressure": "hypertension",
    "t2dm": "type 2 diabetes mellitus",
    "t2d": "type 2 diabetes mellitus",
    "dm2": "type 2 diabetes mellitus",
    "niddm": "type 2 diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus",
    "t1d": "type 1 diabetes mellitus",
    "dm1": "type 1 diabetes mellitus",
    "iddm": "type 1 diabetes mellitus",
    "dm": "diabetes mellitus",
    "dka": "diabetes mellitus ketoacidosis",
    "mi": "myocardial infarction",
    "ami": "acute myocardial infarction",
    "heart attack": "myocardial infarction",
    "copd": "chronic obstructive pulmonary disease",
    "uti": "urinary tract infection",
    "chf": "heart failure",
    "hf": "heart failure",
    "cad": "atherosclerotic heart disease",
    "ckd": "chronic kidney disease",
    "esrd": "end stage renal disease",
    "aki": "acute kidney failure",
    "arf": "acute kidney failure",
    "gerd": "gastro-esophageal reflux disease",
    "gord": "gastro-esophageal reflux disease",
    "uri": "upper respiratory infection",
    "cva": "cerebral infarction",
    "stroke": "cerebral infarction",
    "tia": "transient cerebral ischemic attack",
    "dvt": "thrombosis deep vein",
    "pe": "pulmonary embolism",
    "osa": "obstructive sleep apnea",
    "bph": "benign prostatic hyperplasia",
    "hld": "hyperlipidemia",
    "mdd": "major depressive disorder",
    "gad": "generalized anxiety disorder",
    "ptsd": "post-traumatic stress disorder",
    "adhd": "attention-deficit hyperactivity disorder",
    "ibs": "irritable bowel syndrome",
    "pud": "peptic ulcer",
    "pna": "pneumonia",
    "oa": "osteoarthritis",
    "ra": "rheumatoid arthritis",
    "lbp": "low back pain",
    "sob": "shortness of breath",
    "hypok": "hypokalemia",
    "hyperk": "hyperkalemia",
}

# Codes a general hospital records most, most frequent first: among equally good matches they come first
# ("hypertension" -> I10, "diabetes" -> E11.9).
COMMON_CODES = tuple(
    """
    I10 E11.9 E78.5 J06.9 I25.10 N39.0 E66.9 F32.A F41.9 J44.9 I48.91 I50.9 M54.50 K21.9 E03.9 E11.65 E11.22
    Z00.00 Z23 R07.9 R10.9 R05.9 R51.9 R50.9 R11.2 R42 R06.02 J18.9 J45.909 J02.9 J01.90 J20.9 U07.1 N18.9 N17.9
    N40.0 E78.2 E55.9 D64.9 D50.9 E87.6 R73.03 F41.1 F17.210 F43.10 F90.9 G47.33 G43.909 I21.9 I63.9 G45.9
    I26.99 I82.409 J44.1 K59.00 K58.9 A41.9 L03.90 E10.9
    """.split()  # noqa: SIM905 (a list of 60 codes reads better as text)
)
_COMMON_RANK = {code: rank for rank, code in enumerate(COMMON_CODES)}
_UNCOMMON = len(COMMON_CODES)

_WORD = re.compile(r"[a-z0-9]+")
_SYNONYM_PATTERN = re.compile(
    r"(?<![a-z0-9])(" + "|".join(re.escape(key) for key in sorted(SYNONYMS, key=len, reverse=True)) + r")(?![a-z0-9])"
)


def query_words(query):
    """The words searched for ``query``: lower-case, abbreviations expanded ('T2DM' -> type 2 diabetes mellitus)."""
    text = _SYNONYM_PATTERN.sub(lambda match: SYNONYMS[match.group(1)], (query or "").lower())
    return _WORD.findall(text)


def _code_rank(code):
    """Common codes first, then the general code of a category before its more specific children, then code order."""
    return (_COMMON_RANK.get(code, _UNCOMMON), len(code), code)


def _text_rank(words, code, text, lowered):
    """Sort key of a description that holds every query word somewhere (lower sorts first): more query words
    matched as whole words, common codes, the words together in the query's order, descriptions that start with
    the first word, the general code before its children, a shorter description (less that was not asked for),
    then code order."""
    row_words = _WORD.findall(lowered)
    present = set(row_words)
    whole = sum(1 for word in words if word in present or f"{word}s" in present)  # "vein" matches "veins"
    phrase = f" {' '.join(words)} " in f" {' '.join(row_words)} "
    starts = bool(row_words) and row_words[0] == words[0]
    return (-whole, _COMMON_RANK.get(code, _UNCOMMON), not phrase, not starts, len(code), len(text), code)


def search(query):
    """Billable codes matching ``query``, best first.

    A code start ('E11', 'e11.6', 'E116') lists the codes under it (common and general codes first). Words
    ('diabetes type 2', 'afib', 'HTN') find the descriptions holding all of them, abbreviations and everyday names
    expanded (SYNONYMS), ranked by relevance (see _text_rank). Code matches come first. Used by the visit page,
    the API (/api/v1/icd10/) and the ``icd10`` command alike.
    """
    query = (query or "").strip()
    if not query:
        return [(code, text) for code, text, _ in billable_codes()]
    compact = query.upper().replace(".", "")
    by_code = []
    if " " not in query and re.match(r"^[A-Z][0-9A-Z.]*$", query.upper()):
        by_code = sorted(
            ((code, text) for code, text, _ in billable_codes() if code.replace(".", "").startswith(compact)),
            key=lambda row: _code_rank(row[0]),
        )
    words = query_words(query)
    if not words or (by_code and len(compact) <= 3):  # "E11", "I10", "C": a code start, not words
        return by_code
    from_code = {code for code, _ in by_code}
    ranked = sorted(
        (_text_rank(words, code, text, lowered), code, text)
        for code, text, lowered in billable_codes()
        if all(word in lowered for word in words) and code not in from_code
    )
    return by_code + [(code, text) for _, code, text in ranked]
