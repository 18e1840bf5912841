"""Compares nbrun's <main> bodies with the cmark command's HTML for the same Markdown,
after the CommonMark spec suite's normalisation. Input: a JSON list of
{"markdown": ..., "html": ...}; output: a JSON list of the indices that differ, with both
normalised renderings."""
import json
import subprocess
import sys

sys.path.insert(0, sys.argv[1])
from normalize import normalize_html  # noqa: E402

import re  # noqa: E402

# Heading ids are nbrun's (GitHub's slugs); the comparison is of everything else.
heading_id = re.compile(r'(<h[1-6]) id="[^"]*"')

cases = json.load(open(sys.argv[2], encoding="utf-8"))
failures = []
for index, case in enumerate(cases):
    expected = subprocess.run(
        ["cmark", "--unsafe"], input=case["markdown"].encode("utf-8"), capture_output=True, check=True
    ).stdout.decode("utf-8")
    ours = normalize_html(heading_id.sub(r"\1", case["html"]))
    theirs = normalize_html(expected)
    if ours != theirs:
        failures.append({"index": index, "nbrun": ours, "cmark": theirs})
json.dump(failures, sys.stdout)
