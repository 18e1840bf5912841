"""Opens JupyterLab (from the test venv) in headless Chromium on a notebook of the nbrun
kernel, runs every cell with Shift+Enter, and reports what the page shows (as JSON), with a
screenshot of the outputs.

Usage: jupyterlab_probe.py CHROMIUM JUPYTER_PATH FOLDER NOTEBOOK SCREENSHOT LOG [WIDTH]"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from devtools import Chromium  # noqa: E402

chromium_path, jupyter_path, folder, notebook, screenshot, log = sys.argv[1:7]
width = int(sys.argv[7]) if len(sys.argv) > 7 else 1280
home = tempfile.mkdtemp(prefix="nbrun-lab-")
# The notebook without its stored outputs: what the page shows after, the kernel computed.
with open(os.path.join(folder, notebook), encoding="utf-8") as f:
    stored = json.load(f)
for cell in stored["cells"]:
    if cell["cell_type"] == "code":
        cell["outputs"], cell["execution_count"] = [], None
notebook = "run-" + notebook
with open(os.path.join(folder, notebook), "w", encoding="utf-8") as f:
    json.dump(stored, f)
count = len(stored["cells"])
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
token = "nbrun-kernel-test"
env = dict(os.environ, JUPYTER_PATH=jupyter_path, HOME=home,
           JUPYTER_CONFIG_DIR=os.path.join(home, "config"),
           JUPYTER_RUNTIME_DIR=os.path.join(home, "runtime"),
           JUPYTERLAB_WORKSPACES_DIR=os.path.join(home, "workspaces"),
           JUPYTERLAB_SETTINGS_DIR=os.path.join(home, "settings"))
# No news or update checks: nothing but the notebook on the page.
os.makedirs(os.path.join(home, "settings", "@jupyterlab", "apputils-extension"))
with open(os.path.join(home, "settings", "@jupyterlab", "apputils-extension",
                       "notification.jupyterlab-settings"), "w") as f:
    json.dump({"fetchNews": "false", "checkForUpdates": False}, f)
server = subprocess.Popen(
    [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
     "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
     f"--ServerApp.root_dir={folder}", "--allow-root"],
    env=env, stdout=subprocess.DEVNULL, stderr=open(log + ".server", "w"))
report = {}
browser = None
try:
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    browser = Chromium(chromium_path, log, width=width, height=1000)
    # On a phone's width, JupyterLab's single-document view (/doc): no file browser beside.
    view = "doc" if width < 800 else "lab"
    tab = browser.open(f"{base}/{view}/tree/{notebook}?token={token}", width, 1000)
    cells = browser.wait(tab, "document.querySelectorAll('.jp-Notebook .jp-Cell').length", 120)
    report["cells"] = cells
    # The kernel is up when the toolbar names it and says it is idle.
    report["kernel"] = browser.wait(
        tab, "(() => { const k = document.querySelector('.jp-KernelName');"
             " return k && k.textContent.includes('nbrun') ? k.textContent : null })()", 60)
    browser.wait(tab, "!!document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')", 60)
    time.sleep(1)
    browser.evaluate(tab, "document.querySelector('.jp-Notebook .jp-Cell').click(), 0")
    browser.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Escape", "code": "Escape",
                                            "windowsVirtualKeyCode": 27}, tab)
    browser.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Escape", "code": "Escape",
                                            "windowsVirtualKeyCode": 27}, tab)
    for _ in range(count):
        for kind in ("rawKeyDown", "keyUp"):
            browser.send("Input.dispatchKeyEvent",
                         {"type": kind, "key": "Enter", "code": "Enter", "modifiers": 8,
                          "windowsVirtualKeyCode": 13}, tab)
        time.sleep(0.4)
    code_cells = sum(cell["cell_type"] == "code" for cell in stored["cells"])
    # Shift+Enter on the last cell adds an empty one below: count the numbered prompts.
    report["executed"] = browser.wait(
        tab, "(() => { const n = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
             ".filter(x => /\\[\\d+\\]/.test(x.textContent)).length;"
             f" return n >= {code_cells} ? n : 0 }})()", 120)
    report["code_cells"] = code_cells
    time.sleep(1.5)
    report["page"] = browser.evaluate(tab, """(() => {
      const outputs = [...document.querySelectorAll('.jp-OutputArea-output')];
      const tables = [...document.querySelectorAll('.jp-OutputArea-output table')];
      const cellSize = tables.length ? parseFloat(getComputedStyle(tables[0].querySelector('td')).fontSize) : 0;
      const text = outputs.map(o => o.innerText).join('\\n');
      const svgs = [...document.querySelectorAll('.jp-OutputArea-output svg')].map(s => {
        const r = s.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; });
      const ids = [...document.querySelectorAll('.jp-OutputArea-output [id]')].map(e => e.id);
      const wrapped = [...document.querySelectorAll('.jp-OutputArea-output td.formula')].filter(td =>
        td.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(td).fontSize)).length;
      return {outputs: outputs.length, tables: tables.length, cellFontPx: cellSize,
              errors: document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
              rawTeX: text.includes('\\\\(') || text.includes('$$'),
              hasO6: text.includes('0.474'), svgs: svgs,
              duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i), wrappedFormulas: wrapped,
              formulas: document.querySelectorAll('.jp-OutputArea-output td.formula').length,
              overflowing: [...document.querySelectorAll('.jp-OutputArea-output')].filter(o =>
                o.scrollWidth > o.clientWidth + 1).length,
              captions: [...document.querySelectorAll('.jp-OutputArea-output .table-caption')].map(c => c.innerText)};
    })()""")
    # The backward pass's tables in view, then the screenshot.
    browser.evaluate(tab, "(() => { const c = document.querySelectorAll('.jp-OutputArea-output .table-caption');"
                          " if (c.length > 1) c[1].scrollIntoView({block: 'start'}); return 0 })()")
    time.sleep(0.8)
    browser.shoot(tab, screenshot)
finally:
    if browser:
        browser.close()
    # The server's own shutdown ends its kernels first.
    try:
        urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/api/shutdown?token={token}", method="POST"), timeout=10)
    except OSError:
        server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
print(json.dumps(report))
