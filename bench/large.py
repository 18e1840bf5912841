"""Large notebooks: time and memory against size, measured with the release nbrun.

Writes prose notebooks of 6, 12 and 24 MB (paragraphs with inline math, emphasis, a
link and a placeholder, as lectures have them), runs `nbrun` on each in interleaved
rounds (ROUNDS times, medians), and prints per size: seconds, seconds per MB as a ratio
to the smallest notebook's (1.0 is linear), and the peak resident memory as bytes per
byte of the notebook (the child's own peak, from wait4). A 50 MB notebook is one run at
the end, with the same figures, when ROUNDS is given as 'full'.
"""

import os
import statistics
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
nbrun = os.path.join(root, ".build", "release", "nbrun")
args = sys.argv[1:]
full = "full" in args
rounds = int(next((a for a in args if a.isdigit()), "3"))

PARAGRAPH = (
    "Prose with $x^2 + y$ math, **bold** words, a [link](lecture1.md) and {{ e.w }} in it.\n\n"
)
HEAD = "# Large\n\n```expr e\nv = 0.5\nw = 2 * v\n```\n\n"


def notebook(folder, megabytes):
    path = os.path.join(folder, f"large{megabytes}.md")
    count = megabytes * 1_000_000 // len(PARAGRAPH)
    with open(path, "w") as f:
        f.write(HEAD + PARAGRAPH * count)
    return path


def run(path, folder):
    env = dict(os.environ, OPENBLAS_CORETYPE=os.environ.get("OPENBLAS_CORETYPE", "Haswell"))
    process = subprocess.Popen(
        [nbrun, "--no-cache", "--quiet", "-o", os.path.join(folder, "out"), path],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    import time
    began = time.monotonic()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - began
    process.stderr.read()
    if status != 0:
        sys.exit(f"nbrun failed on {path} (status {status})")
    return seconds, usage.ru_maxrss * 1024


with tempfile.TemporaryDirectory() as folder:
    sizes = [6, 12, 24]
    paths = {size: notebook(folder, size) for size in sizes}
    measured = {size: [] for size in sizes}
    for _ in range(rounds):
        for size in sizes:
            measured[size].append(run(paths[size], folder))
    if full:
        sizes.append(50)
        measured[50] = [run(notebook(folder, 50), folder)]
    base = statistics.median(s for s, _ in measured[6]) / 6
    print(f"large notebooks, {rounds} interleaved rounds (medians), {nbrun}")
    print(f"{'MB':>4} {'seconds':>8} {'s/MB vs 6 MB':>13} {'peak MB':>8} {'bytes/byte':>10}")
    for size in sizes:
        seconds = statistics.median(s for s, _ in measured[size])
        peak = statistics.median(m for _, m in measured[size])
        print(f"{size:>4} {seconds:>8.2f} {seconds / size / base:>13.2f} "
              f"{peak / 1e6:>8.0f} {peak / (size * 1e6):>10.1f}")
