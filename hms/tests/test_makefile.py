"""The Makefile's .PHONY names exactly its command targets (file targets such as .venv/bin/activate aside)."""

import re
from pathlib import Path

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def test_phony_lists_every_command_target_and_nothing_else():
    text = MAKEFILE.read_text()
    phony = set(re.search(r"^\.PHONY:(.*)$", text, re.M).group(1).split())
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):(?!=)", text, re.M))

    assert targets >= {"demo", "test", "client-deps"}
    assert phony == targets
