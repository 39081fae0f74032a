#!/usr/bin/env python3
"""Opens mando HTML reports in headless Chromium and checks they work offline.

A report is read in a classroom from a USB stick with no network, so it must
be one self-contained file. For each report this script checks, over the
Chrome DevTools Protocol, that:
  * no request leaves the file (only its own file:// URL and data: URLs);
  * no JavaScript exception, console error/warning or browser log error;
  * every `figure.chart` holds an inline <svg> that really draws something:
    the svg is rendered onto a canvas and must have >= 0.5% non-white pixels;
  * with --require PREFIX, some figure id starts with PREFIX (e.g. fig-map).
It saves a PNG screenshot of the first 1200x1600 of each page.

Usage: python3 scripts/browser_check.py --screenshots DIR [--require fig-map]
           report1.html [report2.html ...]
Stdlib only (the WebSocket client is below). Needs /usr/bin/chromium
(apt-get install chromium). Prints one ok:/FAIL: line per report; exit 1 if
any failed.
"""
import argparse, base64, hashlib, json, os, shutil, signal, socket, struct
import subprocess, sys, tempfile, time, urllib.parse, urllib.request
from pathlib import Path

LOAD_TIMEOUT = 30.0
MIN_DRAWN = 0.005
CHART_JS = r"""(async () => {
  const out = [];
  for (const fig of document.querySelectorAll('figure.chart')) {
    const svg = fig.querySelector('svg');
    if (!svg) { out.push({id: fig.id, frac: 0, err: 'no inline <svg>'}); continue; }
    const box = svg.getBoundingClientRect();
    const w = Math.round(svg.width.baseVal.value || box.width);
    const h = Math.round(svg.height.baseVal.value || box.height);
    if (!w || !h) { out.push({id: fig.id, frac: 0, err: 'svg has no size'}); continue; }
    const img = new Image();
    try {
      await new Promise((ok, bad) => {
        img.onload = ok; img.onerror = () => bad(new Error('svg does not load as an image'));
        img.src = 'data:image/svg+xml;charset=utf-8,' +
          encodeURIComponent(new XMLSerializer().serializeToString(svg));
      });
    } catch (e) { out.push({id: fig.id, frac: 0, err: e.message}); continue; }
    const ctx = Object.assign(document.createElement('canvas'), {width: w, height: h}).getContext('2d');
    ctx.drawImage(img, 0, 0, w, h);
    const d = ctx.getImageData(0, 0, w, h).data;  // count pixels that are not (near-)white
    let n = 0;
    for (let i = 0; i < d.length; i += 4)
      if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++;
    out.push({id: fig.id, frac: n / (w * h)});
  }
  return out;
})()"""


class WebSocket:
    """Just enough RFC 6455 for CDP: masked text frames out, any frames in."""

    def __init__(self, url, timeout):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port or 80), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self._recv_some()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if b" 101 " not in head.split(b"\r\n")[0] or accept.encode() not in head:
            raise RuntimeError(f"WebSocket handshake refused: {head[:200]!r}")

    def _recv_some(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise RuntimeError("DevTools connection closed")
        return data

    def _read(self, n):
        while len(self.buf) < n:
            self.buf += self._recv_some()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _send_frame(self, opcode, payload):
        n, mask = len(payload), os.urandom(4)
        head = bytes([0x80 | opcode]) + (  # FIN, opcode; MASK bit and 7/16/64-bit length
            bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n)
            if n < 1 << 16 else bytes([0x80 | 127]) + struct.pack(">Q", n))
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes((mask * (n // 4 + 1))[:n], "big"))
        self.sock.sendall(head + mask + masked.to_bytes(n, "big"))

    def send(self, text):
        self._send_frame(0x1, text.encode())  # one final text frame

    def recv(self):
        """Returns the next whole text/binary message, joining continuation frames."""
        parts = []
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
            if opcode == 0x9:  # ping
                self._send_frame(0xA, payload)
            elif opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            elif opcode in (0x0, 0x1, 0x2):
                parts.append(payload)
                if b0 & 0x80:
                    return b"".join(parts).decode()


class Cdp:
    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def _pump(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.ws.sock.settimeout(left)
        return json.loads(self.ws.recv())

    def call(self, method, timeout=LOAD_TIMEOUT, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            msg = self._pump(deadline)
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, timeout):
        deadline = time.monotonic() + timeout
        while not any(e["method"] == method for e in self.events):
            msg = self._pump(deadline)
            if "method" in msg:
                self.events.append(msg)


def launch(chromium, profile, log):
    cmd = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
           "--remote-debugging-port=0", f"--user-data-dir={profile}",
           "--window-size=1200,1600", "--no-first-run", "--disable-background-networking",
           "about:blank"]
    return subprocess.Popen(cmd, stdout=log, stderr=log, start_new_session=True)


def devtools_page_url(proc, profile, log_path):
    port_file, deadline = Path(profile) / "DevToolsActivePort", time.monotonic() + 20
    while not (port_file.exists() and port_file.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = Path(log_path).read_text(errors="replace")[-500:]
            raise RuntimeError(f"chromium did not start DevTools (exit {proc.poll()}): {tail}")
        time.sleep(0.05)
    port = port_file.read_text().split()[0]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore http_proxy
    for _ in range(50):
        targets = json.load(opener.open(f"http://127.0.0.1:{port}/json", timeout=5))
        pages = [t for t in targets if t.get("type") == "page"]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        time.sleep(0.1)
    raise RuntimeError("chromium has no page target")


def problems_in(events, own_url):
    out = []
    for e in events:
        m, p = e["method"], e["params"]
        if m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            out.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")).splitlines()[0])
        elif m == "Runtime.consoleAPICalled" and p["type"] in ("error", "warning", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
            out.append(f"console.{p['type']}: {text[:200]}")
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            out.append(f"browser log error: {p['entry']['text'][:200]} {p['entry'].get('url', '')}".rstrip())
        elif m == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if url.split("#")[0] != own_url and not url.startswith("data:"):
                out.append(f"request leaves the file: {url[:200]}")
    return list(dict.fromkeys(out))  # de-duplicate, keep order


def check(chromium, report, shot, requires):
    """Returns (ok, message) for one report; always cleans chromium up."""
    own_url = Path(report).resolve().as_uri()
    tmp = tempfile.mkdtemp(prefix="browser_check-")
    profile, log_path = os.path.join(tmp, "profile"), os.path.join(tmp, "chromium.log")
    proc, ws = None, None
    try:
        with open(log_path, "wb") as log:
            proc = launch(chromium, profile, log)
        ws = WebSocket(devtools_page_url(proc, profile, log_path), timeout=10)
        cdp = Cdp(ws)
        for domain in ("Runtime", "Log", "Network", "Page"):
            cdp.call(f"{domain}.enable")
        cdp.call("Emulation.setDeviceMetricsOverride", width=1200, height=1600,
                 deviceScaleFactor=1, mobile=False)
        nav = cdp.call("Page.navigate", url=own_url)
        if nav.get("errorText"):
            return False, f"cannot open: {nav['errorText']}"
        try:
            cdp.wait_event("Page.loadEventFired", LOAD_TIMEOUT)
        except TimeoutError:
            return False, f"page did not finish loading within {LOAD_TIMEOUT:.0f} s"
        res = cdp.call("Runtime.evaluate", expression=CHART_JS, awaitPromise=True, returnByValue=True)
        png = cdp.call("Page.captureScreenshot", format="png")["data"]
        Path(shot).write_bytes(base64.b64decode(png))
        reasons = problems_in(cdp.events, own_url)
        figs = res["result"].get("value") or []
        if "exceptionDetails" in res:
            reasons.append("chart check script failed: " + json.dumps(res["exceptionDetails"])[:300])
        elif not figs:
            reasons.append("no figure.chart in the page")
        for f in figs:
            if f.get("err") or f["frac"] < MIN_DRAWN:
                why = f.get("err") or f"only {100 * f['frac']:.2f}% non-blank pixels"
                reasons.append(f"chart {f['id'] or '(no id)'} not drawn: {why}")
        for prefix in requires:
            if not any((f["id"] or "").startswith(prefix) for f in figs):
                reasons.append(f"no figure whose id starts with {prefix!r}")
        if reasons:
            return False, "; ".join(reasons)
        low = min(f["frac"] for f in figs)
        return True, f"{len(figs)} charts drawn (min non-blank {100 * low:.1f}%), screenshot {shot}"
    except (TimeoutError, socket.timeout):
        return False, "timed out talking to chromium"
    except (RuntimeError, OSError) as e:
        return False, f"browser error: {e}"
    finally:
        if ws:
            ws.sock.close()
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # our own session: chromium and its children
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--screenshots", required=True, help="directory for <report stem>.png")
    ap.add_argument("--require", action="append", default=[], metavar="ID_PREFIX",
                    help="fail unless some figure id starts with this (repeatable)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("reports", nargs="+")
    args = ap.parse_args()
    if not (os.path.isfile(args.chromium) and os.access(args.chromium, os.X_OK)):
        sys.exit(f"FAIL: chromium not found at {args.chromium} (apt-get install chromium)")
    os.makedirs(args.screenshots, exist_ok=True)
    stems = [Path(r).stem for r in args.reports]
    failed = False
    for report, stem in zip(args.reports, stems):
        if stems.count(stem) > 1:  # e.g. run/report.html and cmp/report.html
            stem = f"{Path(report).resolve().parent.name}-{stem}"
        shot = os.path.join(args.screenshots, stem + ".png")
        if not os.path.isfile(report):
            ok, msg = False, "no such file"
        else:
            ok, msg = check(args.chromium, report, shot, args.require)
        print(f"{'ok' if ok else 'FAIL'}: {report}: {msg}", flush=True)
        failed |= not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
