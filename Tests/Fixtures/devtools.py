"""A minimal client for headless Chromium's DevTools protocol on a pipe (standard library
only), shared by the probes: start Chromium, send commands, evaluate, wait, screenshot."""
import base64
import json
import os
import subprocess
import time


class Chromium:
    def __init__(self, executable, log, width=1280, height=900):
        to_chrome_read, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_write = os.pipe()

        def plumb():
            # Copies first: the pipe may already sit on fd 3 or 4, and dup2 onto itself
            # would leave it close-on-exec.
            reading, writing = os.dup(to_chrome_read), os.dup(from_chrome_write)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             f"--window-size={width},{height}", "--hide-scrollbars", "about:blank"],
            preexec_fn=plumb, close_fds=False, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self.buffer = b""
        self.counter = 0

    def send(self, method, params=None, session=None):
        self.counter += 1
        message = {"id": self.counter, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_chrome, 1 << 16)
                if not chunk:
                    raise SystemExit("chromium closed the pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.counter:
                if "error" in reply:
                    raise SystemExit(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def open(self, url, width=None, height=None):
        """A new tab at `url` (its viewport `width`×`height` when given); returns its
        session id."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable", session=session)
        self.send("Runtime.enable", session=session)
        if width and height:
            self.send("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        self.send("Page.navigate", {"url": url}, session)
        return session

    def evaluate(self, session, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        return result.get("result", {}).get("value")

    def wait(self, session, expression, seconds=60):
        end = time.time() + seconds
        while time.time() < end:
            try:
                value = self.evaluate(session, expression)
            except SystemExit as error:
                # A page that is navigating has no context to evaluate in: try again.
                if "navigated or closed" not in str(error) and "context" not in str(error):
                    raise
                value = None
            if value:
                return value
            time.sleep(0.1)
        return None

    def key(self, session, key, code, keycode):
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code,
                                                 "windowsVirtualKeyCode": keycode}, session)

    def shoot(self, session, path):
        data = self.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close")
        except SystemExit:
            pass
        self.process.wait(timeout=10)
