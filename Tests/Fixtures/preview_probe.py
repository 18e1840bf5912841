#!/usr/bin/env python3
"""Drives headless Chromium against `nbrun preview`, over the DevTools protocol on a pipe.

    preview_probe.py CHROMIUM URL NOTEBOOK SHOTS

Opens URL at 1280 px, waits for the page (it must show PREVIEW-ONE), marks the window
(a reload would wipe the mark) and scrolls down; then edits NOTEBOOK three times —
PREVIEW-ONE becomes PREVIEW-TWO, then a broken block is appended, then it is removed —
and after each edit waits for the open page to follow. Prints one JSON object of what it
saw; the Swift test asserts on it. Screenshots go to SHOTS. Uses only the standard library.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devtools import Chromium  # noqa: E402

chromium, url, notebook, shots = sys.argv[1:5]
browser = Chromium(chromium, os.path.join(shots, "chromium.log"))


def evaluate(session, expression):
    return browser.evaluate(session, expression)


def wait(session, expression, seconds=30):
    return browser.wait(session, expression, seconds)


def shoot(session, name):
    browser.shoot(session, os.path.join(shots, name))


def edit(old, new):
    with open(notebook, encoding="utf-8") as f:
        text = f.read()
    with open(notebook, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new) if old else text + new)


STATE = """JSON.stringify({
  mark: window.__probe || null,
  one: document.body.innerText.includes("PREVIEW-ONE"),
  two: document.body.innerText.includes("PREVIEW-TWO"),
  banner: !!document.getElementById("nbrun-preview-errors"),
  bannerText: (document.getElementById("nbrun-preview-errors") || {innerText: ""}).innerText,
  swaps: parseInt(document.documentElement.getAttribute("data-nbrun-swaps") || "0", 10),
  y: Math.round(window.scrollY),
  katex: document.querySelectorAll(".katex").length,
  rawTeX: /\\\\\\(|\\\\\\[/.test(document.body.innerText)
})"""

report = {}
try:
    session = browser.open(url)
    report["loaded"] = json.loads(wait(session, "document.readyState === 'complete' && document.body.innerText.includes('PREVIEW-ONE') && " + STATE) or "null")
    time.sleep(0.5)  # the WebSocket connects
    evaluate(session, "window.__probe = 'kept'; window.scrollTo(0, 400); true")
    report["before"] = json.loads(evaluate(session, STATE))
    shoot(session, "preview-before.png")
    started = time.time()
    edit("PREVIEW-ONE", "PREVIEW-TWO")
    report["edited"] = json.loads(wait(session, "document.body.innerText.includes('PREVIEW-TWO') && " + STATE) or "null")
    report["editSeconds"] = round(time.time() - started, 2)
    shoot(session, "preview-edited.png")
    edit(None, "\n```train m\nrate: fast\n```\n")
    report["broken"] = json.loads(wait(session, "!!document.getElementById('nbrun-preview-errors') && " + STATE) or "null")
    shoot(session, "preview-error.png")
    edit("\n```train m\nrate: fast\n```\n", "")
    report["fixed"] = json.loads(wait(session, "!document.getElementById('nbrun-preview-errors') && " + STATE) or "null")
finally:
    browser.close()
print(json.dumps(report))
