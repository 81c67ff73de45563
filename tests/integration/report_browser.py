#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: fd 3
carries our commands, fd 4 Chromium's answers, each a JSON message ended by NUL), so the test
needs nothing but Debian's chromium and Python: no npm package, no port, no websocket.

usage: report_browser.py PAGE.html OUT_DIR

Opens the page from disk, records every network request it makes, reads the treemap of image 0,
clicks (real mouse events) on its largest zoomable directory, reads the zoomed view, sorts the
first packages table by clicking a header, compares the light and dark themes, and saves
screenshots (OUT_DIR/report.png before the click, OUT_DIR/zoomed.png after). Prints one JSON
object with what it saw; the shell test judges it.
"""
import base64
import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-pipe", "--hide-scrollbars", "--force-device-scale-factor=1",
]
WIDTH, HEIGHT = 1400, 1000


class Browser:
    def __init__(self, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():  # in the child: our pipe ends become its fds 3 and 4, kept open by exec
            # (moved above 10 first: either may be fd 3 or 4 already, and dup2 onto itself
            # would leave it close-on-exec)
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome_r, from_chrome_w)]
            for target, fd in zip((3, 4), high):
                os.dup2(fd, target)
                os.set_inheritable(target, True)

        self.proc = subprocess.Popen(
            ["chromium", *CHROMIUM_FLAGS, "--user-data-dir=" + profile,
             f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            self.send("Browser.close", session=False, wait=False)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed its pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method, params=None, session=True, wait=True, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        if not wait:
            return None
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, timeout=30):
        deadline = time.monotonic() + timeout
        for i, m in enumerate(self.events):
            if m.get("method") == method:
                return self.events.pop(i)
        while True:
            m = self._read_message(deadline)
            if m.get("method") == method:
                return m
            self.events.append(m)

    def evaluate(self, expression):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def click(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def screenshot(self, path, height=HEIGHT):
        shot = self.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1}})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))


# What the treemap of image 0 shows: its root, the cells (path, kind, bytes), the breadcrumbs.
TREEMAP_STATE = """(() => {
  const box = document.querySelector('svg.treemap[data-image="0"]');
  const cells = [...box.querySelectorAll(':scope > g.cell')].map(g => ({
    path: g.getAttribute('data-path'), kind: g.getAttribute('data-kind'),
    bytes: Number(g.getAttribute('data-bytes')), zoom: g.classList.contains('zoom')}));
  const crumbs = [...document.querySelectorAll('nav.crumbs[data-image="0"] button')]
    .map(b => b.textContent);
  return {root: box.getAttribute('data-root'), bytes: Number(box.getAttribute('data-bytes')),
          cells, crumbs};
})()"""

# The centre of a cell in viewport coordinates, after scrolling it into view.
CELL_CENTRE = """((path) => {
  const g = [...document.querySelectorAll('svg.treemap[data-image="0"] > g.cell')]
    .find(g => g.getAttribute('data-path') === path);
  g.scrollIntoView({block: 'center'});
  const r = g.querySelector('rect').getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
})(%s)"""

HEADER_CENTRE = """((key) => {
  const th = document.querySelector('.panel[data-image="0"] table.packages th[data-key="' + key + '"]');
  th.scrollIntoView({block: 'center'});
  const r = th.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
})(%s)"""

FIRST_PACKAGE_ROWS = """[...document.querySelectorAll('.panel[data-image="0"] table.packages tbody tr')]
  .slice(0, 3).map(tr => [...tr.children].map(td => td.getAttribute('data-value') ?? td.textContent))"""

# Every URL the page names in an attribute that would fetch (src, href, srcset, poster...).
URL_ATTRIBUTES = """[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
  .filter(a => /^(src|href|srcset|poster|data|action|xlink:href)$/i.test(a.name))
  .map(a => e.tagName + ' ' + a.name + '=' + a.value))"""


def main():
    page, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    url = "file://" + page
    result = {}
    with tempfile.TemporaryDirectory(prefix="pith-chromium-") as profile:
        b = Browser(profile)
        try:
            target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            b.session = b.send("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Network"):
                b.send(domain + ".enable")
            b.send("Emulation.setDeviceMetricsOverride",
                   {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
            b.send("Emulation.setEmulatedMedia",
                   {"features": [{"name": "prefers-color-scheme", "value": "light"}]})
            b.send("Page.navigate", {"url": url})
            b.wait_event("Page.loadEventFired")
            result["ready"] = b.evaluate("document.body.getAttribute('data-ready')")
            result["title"] = b.evaluate("document.title")
            result["url_attributes"] = b.evaluate(URL_ATTRIBUTES)
            result["images_in_dom"] = b.evaluate("document.images.length")
            result["light_background"] = b.evaluate("getComputedStyle(document.body).backgroundColor")
            b.evaluate("window.scrollTo(0, 0)")
            b.screenshot(os.path.join(out, "report.png"), height=1500)

            before = b.evaluate(TREEMAP_STATE)
            result["before"] = before
            target_cell = next(c for c in before["cells"] if c["zoom"])
            result["clicked"] = target_cell
            x, y = b.evaluate(CELL_CENTRE % json.dumps(target_cell["path"]))
            b.click(x, y)
            result["after"] = b.evaluate(TREEMAP_STATE)
            b.screenshot(os.path.join(out, "zoomed.png"))
            # Back up with the first breadcrumb.
            b.evaluate("document.querySelector('nav.crumbs[data-image=\"0\"] button').click()")
            result["back"] = b.evaluate(TREEMAP_STATE)["root"]

            x, y = b.evaluate(HEADER_CENTRE % json.dumps("installed_size"))
            b.click(x, y)
            result["sorted_by_installed"] = b.evaluate(FIRST_PACKAGE_ROWS)
            result["largest_installed"] = b.evaluate(
                "Math.max(...JSON.parse(document.getElementById('pith-data').textContent)"
                ".images[0].packages.map(p => p.installed_size))")

            b.send("Emulation.setEmulatedMedia",
                   {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
            result["dark_background"] = b.evaluate("getComputedStyle(document.body).backgroundColor")
            b.evaluate("window.scrollTo(0, 0)")
            b.screenshot(os.path.join(out, "dark.png"))

            # Every request the page made: only the page itself may appear.
            result["requests"] = [m["params"]["request"]["url"] for m in b.events
                                  if m.get("method") == "Network.requestWillBeSent"]
        finally:
            b.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
