"""Executes a notebook exported with --kernel nbrun by `jupyter nbconvert --execute`
(nbclient) in the nbrun kernel, and compares each executed cell's text/markdown outputs with
the blocks of the Markdown handout, byte for byte. Prints a JSON report.

Usage: kernel_nbconvert.py JUPYTER_PATH NOTEBOOK.ipynb HANDOUT.md"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from handout_blocks import handout_blocks  # noqa: E402

jupyter_path, notebook, handout = sys.argv[1:4]
env = dict(os.environ, JUPYTER_PATH=jupyter_path,
           JPY_SESSION_NAME=os.path.basename(notebook))
executed = notebook.replace(".ipynb", ".executed.ipynb")
run = subprocess.run(
    [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
     "--ExecutePreprocessor.timeout=600", "--output", os.path.basename(executed), notebook],
    env=env, capture_output=True, text=True)
report = {"returncode": run.returncode, "stderr": run.stderr[-2000:]}
if run.returncode == 0:
    nb = json.load(open(executed, encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "nbrun"
    outputs = []
    errors = 0
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                errors += 1
            data = output.get("data", {})
            if "text/markdown" in data:
                text = data["text/markdown"]
                outputs.append(text if isinstance(text, str) else "".join(text))
    blocks = handout_blocks(handout)
    report.update({
        "code_cells": sum(c["cell_type"] == "code" for c in nb["cells"]),
        "executed": sum(c.get("execution_count") is not None for c in nb["cells"]),
        "errors": errors, "outputs": len(outputs), "blocks": len(blocks),
        "equal": sum(a == b for a, b in zip(outputs, blocks)),
    })
print(json.dumps(report))
