#!/usr/bin/env python3
"""Drives headless Chromium against `nbrun preview`, over the DevTools protocol on a pipe.

    preview_probe.py CHROMIUM URL NOTEBOOK SHOTS

Opens URL at 1280 px, waits for the page (it must show PREVIEW-ONE), marks the window
(a reload would wipe the mark) and scrolls down; then edits NOTEBOOK three times —
PREVIEW-ONE becomes PREVIEW-TWO, then a broken block is appended, then it is removed —
and after each edit waits for the open page to follow. Prints one JSON object of what it
saw; the Swift test asserts on it. Screenshots go to SHOTS. Uses only the standard library.
"""
import base64
import json
import os
import subprocess
import sys
import time

chromium, url, notebook, shots = sys.argv[1:5]
to_chrome_read, to_chrome_write = os.pipe()
from_chrome_read, from_chrome_write = os.pipe()


def plumb():
    # Copies first: the pipe may already sit on fd 3 or 4, and dup2 onto itself would
    # leave it close-on-exec.
    reading, writing = os.dup(to_chrome_read), os.dup(from_chrome_write)
    os.dup2(reading, 3)
    os.dup2(writing, 4)


browser = subprocess.Popen(
    [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
     "--window-size=1280,900", "--hide-scrollbars", "about:blank"],
    preexec_fn=plumb, close_fds=False, stdout=subprocess.DEVNULL, stderr=open(os.path.join(shots, "chromium.log"), "w"))
os.close(to_chrome_read)
os.close(from_chrome_write)
buffer = b""
counter = 0


def send(method, params=None, session=None):
    global counter, buffer
    counter += 1
    message = {"id": counter, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_chrome_write, json.dumps(message).encode() + b"\0")
    while True:
        while b"\0" not in buffer:
            chunk = os.read(from_chrome_read, 1 << 16)
            if not chunk:
                raise SystemExit("chromium closed the pipe")
            buffer += chunk
        raw, buffer = buffer.split(b"\0", 1)
        reply = json.loads(raw)
        if reply.get("id") == counter:
            if "error" in reply:
                raise SystemExit(f"{method}: {reply['error']}")
            return reply.get("result", {})


def evaluate(session, expression):
    result = send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
    return result.get("result", {}).get("value")


def wait(session, expression, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        value = evaluate(session, expression)
        if value:
            return value
        time.sleep(0.1)
    return None


def shoot(session, name):
    data = send("Page.captureScreenshot", {"format": "png"}, session)["data"]
    with open(os.path.join(shots, name), "wb") as f:
        f.write(base64.b64decode(data))


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
    target = send("Target.createTarget", {"url": url})["targetId"]
    session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    send("Page.enable", session=session)
    send("Runtime.enable", session=session)
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
    try:
        send("Browser.close")
    except SystemExit:
        pass
    browser.wait(timeout=10)
print(json.dumps(report))
