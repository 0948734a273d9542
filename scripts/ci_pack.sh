#!/usr/bin/env bash
# The README as a new user runs it: packs the npm package (`npm pack`, which builds), installs
# the tarball into fresh directories made with `npm init -y`, and runs the README's blocks:
# the quick-start server (`node server.mjs`, `npx tsx server.mts`, Deno, Bun) answering
# `redis-cli greet world`, the "Use it in tests" example (tsx, Deno, Bun), and the
# `rediserver` command (--version, a taken port, SIGTERM). Only the npm registry is used
# (for tsx and ioredis). Usage: scripts/ci_pack.sh [tarball]   (exit 1 on the first failure)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/node_modules/.bin
work=$(mktemp -d "${TMPDIR:-/tmp}/rediserver-pack-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

tarball=${1:-}
if [ -z "$tarball" ]; then
  (cd "$root" && npm pack --silent --pack-destination "$work" >/dev/null)
  tarball=$(ls "$work"/rediserver-*.tgz)
fi
echo "tarball: $tarball"

free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# start_server LOG COMMAND...: runs a server in the background, in a process group of its own,
# until it prints its address.
start_server() {
  local log=$1
  shift
  setsid "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    grep -q "listening\|port:" "$log" && return 0
    sleep 0.1
  done
  echo "no start:"; cat "$log"; return 1
}
stop_last() {
  kill -TERM -- "-${pids[-1]}" 2>/dev/null || true
  wait "${pids[-1]}" 2>/dev/null || true
}

# expect_greet PORT WHO: the handler answers `greet world`.
expect_greet() {
  local answer
  answer=$(redis-cli -p "$1" greet world)
  [ "$answer" = "Hello, world!" ] || { echo "$2: redis-cli greet world answered '$answer'"; return 1; }
  echo "$2: ok"
}

app=$work/app
mkdir "$app" && cd "$app"
npm init -y >/dev/null
grep -q '"type": "commonjs"' package.json || echo "(npm init did not write type: commonjs)"
npm install --no-audit --no-fund --silent "$tarball"
npm install --no-audit --no-fund --silent -D tsx ioredis

node "$root/scripts/readme_blocks.mjs" "// server.mjs" >server.src

fresh() { # fresh FILE: the quick-start block with a free port
  port=$(free_port)
  sed "s/6380/$port/" server.src >"$1"
}
fresh server.mjs && start_server node.log node server.mjs && expect_greet "$port" "node server.mjs" && stop_last
fresh server.mts && start_server tsx.log node_modules/.bin/tsx server.mts && expect_greet "$port" "npx tsx server.mts" && stop_last
fresh server.mjs && start_server deno.log "$bin/deno" run --allow-net --allow-read --allow-env --allow-sys server.mjs &&
  expect_greet "$port" "deno run server.mjs" && stop_last
fresh server.ts && start_server bun.log "$bin/bun" server.ts && expect_greet "$port" "bun server.ts" && stop_last

node "$root/scripts/readme_blocks.mjs" 'import { startTestServer } from "rediserver/testing";' >example.ts
cp example.ts example.mts
for run in "npx tsx example.mts" "$bin/deno run -A example.ts" "$bin/bun example.ts"; do
  out=$($run)
  expected=$'0\nREADONLY You can\'t write against a read only replica.\nready'
  [ "$out" = "$expected" ] || { echo "$run printed:"; echo "$out"; exit 1; }
  echo "$run (Use it in tests): ok"
done

port=$(free_port)
version=$(npx rediserver --version)
[[ $version == rediserver\ * ]] || { echo "--version: $version"; exit 1; }
start_server cli.log npx rediserver --port "$port"
set +e
taken=$(npx rediserver --port "$port" 2>&1)
code=$?
set -e
[ $code -eq 1 ] && [[ $taken == *"Could not listen on 127.0.0.1:$port: address already in use"* ]] ||
  { echo "port in use: exit $code, '$taken'"; exit 1; }
kill -TERM "${pids[-1]}" # npx only, not its group: the server must follow
wait "${pids[-1]}" || true
for _ in $(seq 1 30); do
  redis-cli -p "$port" ping >/dev/null 2>&1 || break
  sleep 0.1
done
redis-cli -p "$port" ping >/dev/null 2>&1 && { echo "still listening after SIGTERM to npx"; exit 1; }
echo "npx rediserver (--version, port in use, SIGTERM): ok"
