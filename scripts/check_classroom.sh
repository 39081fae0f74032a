#!/usr/bin/env bash
# Checks the classroom page of `mando serve` in headless Chromium: builds
# mando, serves the substation scenario on a free local port, and drives the
# page as an instructor would (scripts/browser/classroom_check.mjs: play,
# step, inject, a refused inject, decisions, rewind, branch, compare).
# Screenshots go to target/classroom-screens/.
#
# Usage: scripts/check_classroom.sh
#   CLASSROOM_URL=http://127.0.0.1:PORT/  check a server already running
#                                         (no build, no server started)
#   SKIP_BUILD=1                          use target/release/mando as it is
# Needs Debian's chromium (installed here if missing), node and npm; the
# npm package playwright-core drives the system Chromium and never
# downloads a browser. Exit 0 when every stage passed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
screens="$root/target/classroom-screens"
mkdir -p "$screens"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "check_classroom: installing Debian's chromium" >&2
  apt-get update && apt-get install -y chromium
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "check_classroom: installing node and npm" >&2
  apt-get update && apt-get install -y nodejs npm
fi

# The browser driver, exactly as locked; it must not fetch a browser.
(cd scripts/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

server_pid=""
server_log="$screens/server.log"
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

url="${CLASSROOM_URL:-}"
if [[ -z "$url" ]]; then
  if [[ "${SKIP_BUILD:-}" != 1 ]]; then
    nice cargo build --release --quiet
  fi
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  url="http://127.0.0.1:$port/"
  target/release/mando serve scenarios/substation_under_threat.ron --port "$port" >"$server_log" 2>&1 &
  server_pid=$!
  # Up to 30 s for the server to answer.
  for _ in $(seq 1 60); do
    if curl -fsS -o /dev/null --max-time 2 "${url}api/state"; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "check_classroom: mando serve exited before answering:" >&2
      cat "$server_log" >&2
      exit 1
    fi
    sleep 0.5
  done
  if ! curl -fsS -o /dev/null --max-time 2 "${url}api/state"; then
    echo "check_classroom: mando serve did not answer on $url within 30 s" >&2
    cat "$server_log" >&2
    exit 1
  fi
fi

status=0
timeout 300 node scripts/browser/classroom_check.mjs --url "$url" --screens "$screens" --chromium /usr/bin/chromium || status=$?
if [[ $status -ne 0 && -n "$server_pid" ]]; then
  echo "check_classroom: the server's log (last 40 lines):" >&2
  tail -n 40 "$server_log" >&2 || true
fi
exit "$status"
