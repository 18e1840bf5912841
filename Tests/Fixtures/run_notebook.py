"""Executes an exported notebook in a fresh python3 kernel (nbclient) and checks that every
number nbrun printed in a cell's tables is printed again by the executed cell.

usage: run_notebook.py NOTEBOOK.ipynb [--tolerance T] [--values OUT.json] [--save RUN.ipynb]
Prints one JSON object: cells run, numbers checked, the largest deviation (absolute, and
relative to printed precision), seconds, and every number that was not reproduced.

A number nbrun printed with d decimals is reproduced when the executed cell printed a value
within half a unit of its last decimal (the printed precision) or within T relative (the
training tolerance: NumPy's BLAS sums in another order than OpenBLAS as nbrun calls it).
With --values, every value the notebook computed (its V, by the names nbrun gives them) is
written to OUT.json after the run, for a comparison with nbrun's own.
"""

import json
import sys
import time

import nbclient
import nbformat


def printed_numbers(outputs):
    found = []
    for output in outputs:
        found += output.get("metadata", {}).get("nbrun", {}).get("printed", [])
    return found


def computed_numbers(outputs):
    found = []
    for output in outputs:
        found += output.get("metadata", {}).get("nbrun", {}).get("numbers", [])
    return found


def main():
    path = sys.argv[1]
    tolerance = float(sys.argv[sys.argv.index("--tolerance") + 1]) if "--tolerance" in sys.argv else 0.0
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    expected = {i: printed_numbers(c.get("outputs", [])) for i, c in enumerate(nb.cells)
                if c.cell_type == "code"}
    values = sys.argv[sys.argv.index("--values") + 1] if "--values" in sys.argv else None
    if values:
        nb.cells.append(nbformat.v4.new_code_cell(
            "import json as _json, numbers as _numbers\n"
            "print(_json.dumps({k: (v if isinstance(v, bool) else float(v))"
            " for k, v in globals().get('V', {}).items() if isinstance(v, (bool, _numbers.Real))}))"))
    start = time.monotonic()
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=900, allow_errors=False)
    try:
        client.execute()
    except Exception as error:  # the cell that failed and why
        print(json.dumps({"notebook": path, "error": str(error)[-3000:]}))
        return 1
    seconds = time.monotonic() - start
    if "--save" in sys.argv:  # the executed notebook, for tests that read what the cells printed
        nbformat.write(nb, sys.argv[sys.argv.index("--save") + 1])
    if values:
        dumped = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []))
        with open(values, "w") as f:
            f.write(dumped)
        nb.cells.pop()
    checked, failures, worst, worst_relative = 0, [], 0.0, 0.0
    for i, numbers in expected.items():
        cell = nb.cells[i]
        computed = computed_numbers(cell.get("outputs", []))
        for value, decimals in numbers:
            if value is None:
                continue
            checked += 1
            half_unit = 0.5 * 10.0 ** -decimals
            best = min((abs(p - value) for p in computed if p is not None), default=float("inf"))
            worst = max(worst, best) if best != float("inf") else worst
            relative = best / max(abs(value), 1e-300)
            if best <= half_unit * (1 + 1e-9) + 1e-12 * max(1.0, abs(value)):
                continue
            if relative <= tolerance:
                worst_relative = max(worst_relative, relative)
                continue
            failures.append({"cell": i, "block": cell.metadata.get("nbrun", {}).get("block"),
                             "value": value, "decimals": decimals, "closest_difference": best})
    print(json.dumps({"notebook": path, "cells": len(expected), "checked": checked,
                      "largest_difference": worst, "largest_relative_beyond_printed": worst_relative,
                      "seconds": round(seconds, 2), "failures": failures[:40],
                      "failed": len(failures)}, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
