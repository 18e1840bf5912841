"""Drives the nbrun Jupyter kernel with jupyter_client and prints what it saw, as JSON.

Usage: kernel_probe.py JUPYTER_PATH NOTEBOOK_FOLDER HANDOUT_FOLDER NAME...

The kernelspec is found under JUPYTER_PATH (the test installs it there). For each NAME,
every code cell of NAME.ipynb (exported with --kernel nbrun) runs in one kernel, and each
cell's text/markdown outputs are compared with the blocks of HANDOUT_FOLDER/NAME.md. Then
the features: completion, inspection, is_complete, a located error, a failed expectation,
a re-run cell making its reader stale, interrupt during a long train, and restart.
"""
import json
import os
import sys
import time

jupyter_path, notebooks, handouts = sys.argv[1:4]
names = sys.argv[4:]
os.environ["JUPYTER_PATH"] = jupyter_path

from jupyter_client import KernelManager  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from handout_blocks import handout_blocks  # noqa: E402

report = {}


def start(name):
    os.environ["JPY_SESSION_NAME"] = name + ".ipynb"
    km = KernelManager(kernel_name="nbrun")
    km.start_kernel(cwd=notebooks, stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def execute(kc, code, cell_id=None, timeout=120):
    content = dict(code=code, silent=False, store_history=True, user_expressions={},
                   allow_stdin=False, stop_on_error=True)
    msg = kc.session.msg("execute_request", content,
                         metadata={"cellId": cell_id} if cell_id else {})
    kc.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    outputs = []
    deadline = time.time() + timeout
    while True:
        m = kc.get_iopub_msg(timeout=max(1, deadline - time.time()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
        outputs.append({"type": m["msg_type"], "content": m["content"]})
    while True:
        reply = kc.get_shell_msg(timeout=max(1, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"], outputs


# Every code cell of each exported notebook, run in order.
kinds = set()
for name in names:
    km, kc = start(name)
    notebook = json.load(open(os.path.join(handouts, name + ".ipynb"), encoding="utf-8"))
    markdowns, failures, cells = [], [], 0
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        first = source.split("\n", 1)[0].split(" ")[0]
        kinds.add(first)
        cells += 1
        reply, outputs = execute(kc, source, cell_id=cell["id"])
        if reply["status"] != "ok":
            failures.append({"cell": index + 1, "reply": reply.get("evalue")})
        for output in outputs:
            if output["type"] == "display_data" and "text/markdown" in output["content"]["data"]:
                markdowns.append(output["content"]["data"]["text/markdown"])
    expected = handout_blocks(os.path.join(handouts, name + ".md"))
    mismatches = [i for i, (a, b) in enumerate(zip(markdowns, expected)) if a != b]
    report[name] = {"cells": cells, "failures": failures, "outputs": len(markdowns),
                    "blocks": len(expected), "mismatches": mismatches[:5],
                    "first_mismatch": [markdowns[mismatches[0]], expected[mismatches[0]]]
                    if mismatches else None}
    km.shutdown_kernel(now=True)
    print(name, file=sys.stderr)
report["kinds"] = sorted(kinds)

# The features, in a kernel of their own (a failure prints what was seen so far).
import atexit  # noqa: E402
atexit.register(lambda: print(json.dumps(report)) if "restart" not in report else None)
km, kc = start("features")
info = kc.kernel_info(reply=True)["content"]
report["kernel_info"] = {"protocol_version": info["protocol_version"],
                         "language": info["language_info"]["name"],
                         "implementation": info["implementation"]}
model = "model hk\ninputs: 2\nlayer: 2 sigmoid\nlayer: 1 sigmoid\nweights: w13=0.5 w14=0.9 w23=0.4 w24=1.0 w35=-1.2 w45=1.1\nbiases: b3=0.8 b4=-0.1 b5=0.3\n"
reply, outputs = execute(kc, model, cell_id="model")
report["model"] = {"status": reply["status"],
                   "mimes": sorted(outputs[-1]["content"]["data"]) if outputs else []}
reply, outputs = execute(kc, "forward hk\ninput: 1 1\n", cell_id="forward")
displays = [o for o in outputs if o["type"] == "display_data"]
report["forward"] = {"status": reply["status"], "count": reply["execution_count"],
                     "markdown": displays[0]["content"]["data"].get("text/markdown", "") if displays else "",
                     "html": displays[0]["content"]["data"].get("text/html", "") if displays else ""}
reply, outputs = execute(kc, "The output is {{ hk.O5 | 4 }}.\n", cell_id="prose")
report["prose"] = [o["content"]["data"].get("text/markdown") for o in outputs
                   if o["type"] == "display_data"]

# A re-run model cell: the forward cell is reported stale, and runs again without ambiguity.
reply, outputs = execute(kc, model.replace("w13=0.5", "w13=0.6"), cell_id="model")
report["rerun"] = {"status": reply["status"], "stale": reply.get("nbrun_stale"),
                   "notes": [o["content"]["text"] for o in outputs if o["type"] == "stream"]}
reply, outputs = execute(kc, "forward hk\ninput: 1 1\n", cell_id="forward")
report["forward_again"] = {"status": reply["status"], "evalue": reply.get("evalue")}

# Completion, inspection, is_complete.
def complete(code, cursor=None):
    c = kc.complete(code, cursor if cursor is not None else len(code), reply=True)["content"]
    return {"matches": c["matches"], "start": c["cursor_start"], "end": c["cursor_end"]}

report["complete"] = {
    "directive": complete("forw"),
    "option": complete("train hk\nopt"),
    "optimizer": complete("train hk\noptimizer: ad"),
    "activation": complete("model m\nlayer: 2 sig"),
    "loss": complete("train hk\nloss: binary_c"),
    "name": complete("forward h"),
    "quantity": complete("expect\nhk.O"),
}
def inspect(code):
    c = kc.inspect(code, len(code), reply=True)["content"]
    return c["data"].get("text/markdown", "") if c["found"] else None

report["inspect"] = {"option": inspect("train hk\noptimizer"), "directive": inspect("backward"),
                     "name": inspect("forward hk")}
def is_complete(code):
    msg_id = kc.is_complete(code)
    while True:
        reply = kc.get_shell_msg(timeout=20)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["status"]

report["is_complete"] = {
    code: is_complete(code)
    for code in ["```model hk\ninputs: 2", "```model hk\ninputs: 2\n```", "---\nprecision: 3",
                 "model hk\ninputs: 2", "model hk\ninputs: 2\n"]}

# A located error, and a failed expectation.
reply, outputs = execute(kc, "model bad\ninputs: 2\nlayer: 2 sigmod\n")
report["error"] = {"status": reply["status"], "ename": reply.get("ename"),
                   "traceback": reply.get("traceback"),
                   "error_messages": sum(o["type"] == "error" for o in outputs)}
reply, outputs = execute(kc, "expect\nhk.O5 = 0.9\n")
report["expect"] = {"status": reply["status"], "ename": reply.get("ename"),
                    "evalue": reply.get("evalue")}

# Interrupt a long train: the reply comes within seconds, an error that says so.
execute(kc, "data xor\nsource: xor\n")
code = "train hk\ndata: xor\nepochs: 1000000\nrate: 0.5\nloss: half_sse\n"
content = dict(code=code, silent=False, store_history=True, user_expressions={},
               allow_stdin=False, stop_on_error=True)
msg = kc.session.msg("execute_request", content)
kc.shell_channel.send(msg)
time.sleep(1.5)
began = time.time()
interrupt = kc.session.msg("interrupt_request", {})
kc.control_channel.send(interrupt)
control = kc.control_channel.get_msg(timeout=10)
while True:
    reply = kc.get_shell_msg(timeout=60)
    if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
        break
report["interrupt"] = {"control": control["msg_type"], "status": reply["content"]["status"],
                       "ename": reply["content"].get("ename"),
                       "evalue": reply["content"].get("evalue"),
                       "seconds": round(time.time() - began, 2)}

# Restart: a new kernel process, nothing defined.
km.restart_kernel(now=False)
kc.wait_for_ready(timeout=60)
reply, outputs = execute(kc, "forward hk\ninput: 1 1\n")
report["restart"] = {"status": reply["status"], "evalue": reply.get("evalue"),
                     "count": reply.get("execution_count")}
km.shutdown_kernel(now=True)
print(json.dumps(report))

