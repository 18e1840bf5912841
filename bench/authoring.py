#!/usr/bin/env python3
"""The authoring loop's targets, measured side by side in one run (issues 13 and 29).

    bench/authoring [RUNS]      (default 5; interleaved rounds, medians reported)

Every round runs each command once, in the same order, so a slow moment of the machine
touches all of them alike; the median of each over the rounds is reported, and each target
as a ratio of two medians from the same rounds:

  lecture 2 re-rendered unchanged  vs  nbrun --version (the process floor)     target ≤ 3×
  lecture 2 after a prose edit     vs  nbrun --version                         (reported)
  lecture 2 (md + html)  vs  jupyter nbconvert --execute --to html on the same computations
                             (bench/lecture2-jupyter.ipynb, the lean notebook) target ≥ 100×
  the whole course       vs  jupyter nbconvert --execute of an empty notebook   target ≤ 1×
                             (--no-cache, and from an empty cache folder)
  lecture 4 after a one-line prose edit  vs  lecture 4 cold (--no-cache)        target ≤ 0.2
  4,000 inline math spans  vs  1,000                                            target ≤ 5×
  peak RSS of each lecture's render (rusage of the process)                    target < 30 MB

nbrun is the release build scripts/nbrun makes. Runs named "--no-cache" run every block
(the block cache is neither read nor written) with the formulas KaTeX already checked
remembered, as on an author's machine; "first render" runs start from an empty cache
folder, so every formula also goes through KaTeX. Jupyter comes from a venv of its
own (.build/bench-venv: nbconvert, ipykernel, matplotlib), made on first use.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
NBRUN = os.path.join(ROOT, ".build", "release", "nbrun")
VENV = os.path.join(ROOT, ".build", "bench-venv")
JUPYTER = os.path.join(VENV, "bin", "jupyter")


def timed(command, cwd=ROOT):
    """Seconds and peak RSS (MB) of one run; the command must succeed."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    errors = child.stderr.read().decode()
    child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{errors}")
    return seconds, usage.ru_maxrss / 1024


def jupyter_ready():
    probe = [os.path.join(VENV, "bin", "python"), "-c", "import nbconvert, ipykernel, matplotlib"]
    if os.path.exists(probe[0]) and subprocess.run(probe, capture_output=True).returncode == 0:
        return True
    print("bench: making .build/bench-venv with nbconvert, ipykernel, matplotlib …", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", VENV], check=False)
    pip = [os.path.join(VENV, "bin", "pip"), "install", "-q", "nbconvert", "ipykernel", "matplotlib", "numpy"]
    return subprocess.run(pip).returncode == 0 and subprocess.run(probe).returncode == 0


def math_page(path, spans):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Math\n\n")
        for i in range(spans):
            f.write(f"Term $x_{{{i}}} + y^{{{i % 7}}}$ is one span.")
            f.write("\n\n" if i % 10 == 9 else " ")


def main():
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "nbrun"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make_jupyter_lecture.py")],
                   check=True, stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="nbrun-bench-")
    try:
        run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def course_copy(work, folder, lecture):
    """The notebooks copied into work/folder (a course root of their own); the lecture's
    path, its text, and the index of its first prose line after the top."""
    root = os.path.join(work, folder)
    shutil.copytree(os.path.join(ROOT, "notebooks"), os.path.join(root, "notebooks"))
    with open(os.path.join(root, "_nbrun.yml"), "w") as f:
        f.write("# a copy of the course, for the benchmark\n")
    path = os.path.join(root, "notebooks", lecture + ".md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    prose = next(i for i, line in enumerate(text.split("\n")) if line and line[0].isalpha() and i > 10)
    return path, text, prose


def run(work):
    has_jupyter = jupyter_ready()
    empty = os.path.join(work, "empty.ipynb")
    with open(empty, "w") as f:
        f.write('{"cells": [], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",'
                ' "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}')
    # A copy of the course, for the prose edit: its cache is made once, before the rounds.
    lecture4, original, first_prose = course_copy(work, "course", "lecture4")
    edit_cache = os.path.join(work, "edit-cache")
    timed([NBRUN, "--quiet", "--cache", edit_cache, "-o", os.path.join(work, "edit"), lecture4])
    for spans in (1000, 4000):
        math_page(os.path.join(work, f"math{spans}.md"), spans)

    def fresh(name):
        folder = os.path.join(work, "cache", name)
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    notebooks = sorted(os.path.join(ROOT, "notebooks", n) for n in os.listdir(os.path.join(ROOT, "notebooks")) if n.endswith(".md"))
    lectures = [n for n in notebooks if os.path.basename(n).startswith("lecture")]
    out = os.path.join(work, "out")
    known = os.path.join(work, "known")  # formulas checked once, no blocks kept
    timed([NBRUN, "--quiet", "--no-cache", "--cache", known, "-o", out] + notebooks)
    # Lecture 2 in a copy of its own, rendered once: "unchanged" renders it again as it
    # stands (its record answers), "edited" after a one-line prose edit (its blocks cached).
    warm = os.path.join(work, "warm")
    warm2, warm_original, warm_prose = course_copy(work, "warm", "lecture2")
    timed([NBRUN, "--quiet", warm2], cwd=warm)
    commands = {
        "nbrun --version": lambda: [NBRUN, "--version"],
        "lecture2 unchanged": lambda: [NBRUN, "--quiet", warm2],
        "lecture2 prose edit": lambda: [NBRUN, "--quiet", warm2],
        "lecture2 --no-cache": lambda: [NBRUN, "--quiet", "--no-cache", "--cache", known, "-o", out,
                                        os.path.join(ROOT, "notebooks", "lecture2.md")],
        "lecture2 first render": lambda: [NBRUN, "--quiet", "--cache", fresh("l2"), "-o", out,
                                          os.path.join(ROOT, "notebooks", "lecture2.md")],
        "course --no-cache": lambda: [NBRUN, "--quiet", "--no-cache", "--cache", known, "-o", out] + notebooks,
        "course first render": lambda: [NBRUN, "--quiet", "--cache", fresh("course"), "-o", out] + notebooks,
        "lecture4 --no-cache": lambda: [NBRUN, "--quiet", "--no-cache", "--cache", known, "-o", out, lecture4],
        "lecture4 prose edit": lambda: [NBRUN, "--quiet", "--cache", edit_cache, "-o", os.path.join(work, "edit"), lecture4],
        "math 1000 cold": lambda: [NBRUN, "--quiet", "--cache", fresh("m1"), "-o", out, os.path.join(work, "math1000.md")],
        "math 4000 cold": lambda: [NBRUN, "--quiet", "--cache", fresh("m4"), "-o", out, os.path.join(work, "math4000.md")],
        "math 1000 warm": lambda: [NBRUN, "--quiet", "--cache", os.path.join(work, "mw"), "-o", out, os.path.join(work, "math1000.md")],
        "math 4000 warm": lambda: [NBRUN, "--quiet", "--cache", os.path.join(work, "mw"), "-o", out, os.path.join(work, "math4000.md")],
    }
    for path in lectures:
        name = os.path.basename(path)[:-3]
        commands[f"{name} rss"] = (lambda p=path: [NBRUN, "--quiet", "--no-cache", "--cache", known, "-o", out, p])
    if has_jupyter:
        commands["jupyter lecture2"] = lambda: [JUPYTER, "nbconvert", "--execute", "--to", "html", "--output-dir", out,
                                                os.path.join(ROOT, "bench", "lecture2-jupyter.ipynb")]
        # nbrun's own export of lecture 2 (issue 16): exactly the handout's computations.
        exported = os.path.join(work, "exported")
        timed([NBRUN, "--quiet", "--no-cache", "--to", "ipynb", "-o", exported,
               os.path.join(ROOT, "notebooks", "lecture2.md")])
        commands["jupyter lecture2 export"] = lambda: [JUPYTER, "nbconvert", "--execute", "--to", "html",
                                                       "--output-dir", out, os.path.join(exported, "lecture2.ipynb")]
        commands["jupyter empty"] = lambda: [JUPYTER, "nbconvert", "--execute", "--to", "html", "--output-dir", out, empty]
    seconds = {name: [] for name in commands}
    memory = {name: [] for name in commands}
    timed(commands["math 1000 warm"]())
    timed(commands["math 4000 warm"]())
    for round_number in range(RUNS):
        for name, make in commands.items():
            if name == "lecture4 prose edit":
                lines = original.split("\n")
                lines[first_prose] += f" (edit {round_number})"
                with open(lecture4, "w", encoding="utf-8") as f:
                    f.write("\n".join(lines))
            if name == "lecture2 prose edit":
                lines = warm_original.split("\n")
                lines[warm_prose] += f" (edit {round_number})"
                with open(warm2, "w", encoding="utf-8") as f:
                    f.write("\n".join(lines))
            s, rss = timed(make(), cwd=warm if name in ("lecture2 unchanged", "lecture2 prose edit") else ROOT)
            # Jupyter's kernel may still be shutting down when nbconvert returns: a pause
            # after every command keeps one command's tail out of the next one's time.
            time.sleep(0.3)
            seconds[name].append(s)
            memory[name].append(rss)
            if name == "lecture4 prose edit":
                with open(lecture4, "w", encoding="utf-8") as f:
                    f.write(original)
            if name == "lecture2 prose edit":
                with open(warm2, "w", encoding="utf-8") as f:
                    f.write(warm_original)
                timed([NBRUN, "--quiet", warm2], cwd=warm)
        print(f"bench: round {round_number + 1} of {RUNS}", file=sys.stderr)

    median = {name: statistics.median(values) for name, values in seconds.items()}
    peak = {name: statistics.median(values) for name, values in memory.items()}
    print(f"\nmedians of {RUNS} interleaved rounds (seconds):")
    for name in commands:
        print(f"  {name:<22} {median[name]:8.3f} s   peak RSS {peak[name]:6.1f} MB")
    print("\ntargets:")

    def line(label, value, target, good):
        print(f"  {label:<58} {value:>9}   target {target:<8} {'ok' if good else 'MISSED'}")

    ratio = median["lecture2 unchanged"] / median["nbrun --version"]
    line("lecture 2 re-rendered unchanged / nbrun --version", f"{ratio:.2f}×", "≤ 3×", ratio <= 3)
    ratio = median["lecture2 prose edit"] / median["nbrun --version"]
    line("lecture 2 after a prose edit / nbrun --version", f"{ratio:.1f}×", "", True)
    if has_jupyter:
        ratio = median["jupyter lecture2"] / median["lecture2 --no-cache"]
        line("lecture 2: jupyter nbconvert --execute / nbrun --no-cache", f"{ratio:.0f}×", "≥ 100×", ratio >= 100)
        ratio = median["jupyter lecture2 export"] / median["lecture2 --no-cache"]
        line("lecture 2 exported (--to ipynb), executed by jupyter / nbrun", f"{ratio:.0f}×", "", True)
        ratio = median["jupyter lecture2"] / median["lecture2 first render"]
        line("lecture 2: jupyter / nbrun's first render (empty cache)", f"{ratio:.0f}×", "", True)
        ratio = median["course --no-cache"] / median["jupyter empty"]
        line("whole course --no-cache / jupyter on an empty notebook", f"{ratio:.2f}", "≤ 1", ratio <= 1)
        ratio = median["course first render"] / median["jupyter empty"]
        line("whole course, first render / jupyter on an empty notebook", f"{ratio:.2f}", "≤ 1", ratio <= 1)
    else:
        print("  (jupyter unavailable: no ratios against it)")
    ratio = median["lecture4 prose edit"] / median["lecture4 --no-cache"]
    line("lecture 4: re-render after a one-line prose edit / --no-cache", f"{ratio:.2f}", "≤ 0.20", ratio <= 0.2)
    ratio = median["math 4000 cold"] / median["math 1000 cold"]
    line("4,000 / 1,000 inline math spans (cold: every formula to KaTeX)", f"{ratio:.2f}×", "≤ 5×", ratio <= 5)
    ratio = median["math 4000 warm"] / median["math 1000 warm"]
    line("4,000 / 1,000 inline math spans (formulas known)", f"{ratio:.2f}×", "≤ 5×", ratio <= 5)
    for path in lectures:
        name = os.path.basename(path)[:-3]
        line(f"peak RSS, {name}", f"{peak[name + ' rss']:.1f} MB", "< 30 MB", peak[name + " rss"] < 30)


if __name__ == "__main__":
    main()
