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


def search(query):
    """Billable codes matching ``query``: by code prefix ('E11', 'e11.6', 'E116') or, when the query is not a
    code, by all of its words in the description ('diabetes type 2'). Code matches come first, in code order."""
    query = (query or "").strip()
    if not query:
        return [(code, text) for code, text, _ in billable_codes()]
    words = query.lower().split()
    compact = query.upper().replace(".", "")
    by_code = []
    if len(words) == 1 and re.match(r"^[A-Z][0-9A-Z.]*$", query.upper()):
        by_code = [(code, text) for code, text, _ in billable_codes() if code.replace(".", "").startswith(compact)]
    by_words = [
        (code, text)
        for code, text, lowered in billable_codes()
        if all(word in lowered for word in words) and not code.replace(".", "").startswith(compact)
    ]
    return by_code + by_words
