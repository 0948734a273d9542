#!/usr/bin/env bash
# The README as a new user runs it: packs the npm package (`npm pack`, which builds), installs
# the tarball into fresh directories made with `npm init -y`, and runs the README's blocks:
# the quick-start server (`node server.mjs`, `npx tsx server.mts`, Deno, Bun) answering
# `redis-cli greet world`, the "Use it in tests" example (tsx, Deno, Bun), the test-runner
# examples (node:test, Vitest, Jest, deno test, bun test: each in a directory of its own with
# the tools its README paragraph installs, run with the command in its first line), and the
# `rediserver` command (--version, a taken port, SIGTERM). Only the npm registry is used (tsx,
# ioredis, redis, vitest, jest; --prefer-offline: what npm's cache holds is not fetched again).
# Usage: scripts/ci_pack.sh [tarball]   (exit 1 on the first failure)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/node_modules/.bin
work=$(mktemp -d "${TMPDIR:-/tmp}/rediserver-pack-XXXXXX")
pids=()
started=$SECONDS
runner_pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  for pid in "${runner_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

tarball=${1:-}
if [ -z "$tarball" ]; then
  (cd "$root" && npm pack --silent --pack-destination "$work" >"$work/pack.log" 2>&1) ||
    { echo "npm pack failed:"; cat "$work/pack.log"; exit 1; }
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
install() { npm install --no-audit --no-fund --silent --prefer-offline "$@"; }
install "$tarball" tsx ioredis

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

# The test-runner examples: a fresh project per runner with the package and the runner's
# tools, the README's files saved under their names, the README's command run there
# (Deno and Bun from this checkout's dev dependencies).
runners_started=$SECONDS
runner() { # runner DIR "TOOLS..." FILE... : the last FILE's first line holds the command
  local name=$1 tools=$2 command="" t0=$SECONDS
  shift 2
  mkdir "$work/$name" && cd "$work/$name"
  npm init -y >/dev/null
  # shellcheck disable=SC2086 # tools is a list of package names
  install -D "$tarball" $tools
  for file in "$@"; do command=$(node "$root/scripts/readme_blocks.mjs" --save "$file"); done
  PATH=$bin:$PATH bash -c "$command" >run.log 2>&1 || { echo "$name: '$command' failed:"; cat run.log; exit 1; }
  echo "$name: $command: ok ($((SECONDS - t0)) s with the install)"
}
# The five run side by side (installs wait on the network and npm's cache more than on CPU).
runner node-test "ioredis" test/cache.test.mjs >"$work/node-test.log" 2>&1 &
runner_pids=($!)
runner vitest "vitest redis" vitest.config.mjs redis.setup.mjs any.test.mjs >"$work/vitest.log" 2>&1 &
runner_pids+=($!)
runner jest "jest ioredis" cache.test.mjs >"$work/jest.log" 2>&1 &
runner_pids+=($!)
runner deno-test "redis" cache_test.ts >"$work/deno-test.log" 2>&1 &
runner_pids+=($!)
runner bun-test "" cache.test.ts >"$work/bun-test.log" 2>&1 &
runner_pids+=($!)
runners_failed=0
for name in node-test vitest jest deno-test bun-test; do
  wait "${runner_pids[0]}" || runners_failed=1
  runner_pids=("${runner_pids[@]:1}")
  cat "$work/$name.log"
done
[ $runners_failed -eq 0 ] || exit 1
echo "test runners: $((SECONDS - runners_started)) s"
cd "$app"

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
echo "readme-pack: $((SECONDS - started)) s"
