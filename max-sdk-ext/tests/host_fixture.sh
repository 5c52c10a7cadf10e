#!/bin/sh
# ctest fixture: start|stop the real host (tiny model) for the core tests.
#   host_fixture.sh start|stop ENDPOINT STATEDIR
# start writes STATEDIR/status: "ready" or "unavailable: <why>" (the tests
# then skip); it fails only when the host is installed but does not start.
set -u
action=$1 ep=$2 dir=$3
cmd=${JBX_TEST_HOST_CMD:-python3 -m jukebox_host}
mkdir -p "$dir"
case $action in
start)
  if ! $cmd --help >/dev/null 2>&1; then
    echo "unavailable: '$cmd --help' failed (pip install -e pyhost)" >"$dir/status"
    cat "$dir/status"; exit 0
  fi
  : >"$dir/host.log"
  $cmd serve --endpoint "$ep" --model tiny >>"$dir/host.log" 2>&1 &
  echo $! >"$dir/host.pid"
  i=0
  while [ $i -lt 1200 ]; do   # up to 120 s: the tiny model is built on first use
    if grep -q "ready on" "$dir/host.log"; then echo ready >"$dir/status"; cat "$dir/host.log"; exit 0; fi
    if ! kill -0 "$(cat "$dir/host.pid")" 2>/dev/null; then break; fi
    sleep 0.1; i=$((i+1))
  done
  echo "failed: host did not start" >"$dir/status"
  cat "$dir/host.log"; exit 1 ;;
stop)
  [ -f "$dir/host.pid" ] || exit 0
  pid=$(cat "$dir/host.pid")
  kill -TERM "$pid" 2>/dev/null
  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$dir/host.pid"
  case $ep in ipc://*) rm -f "${ep#ipc://}" ;; esac   # a killed host leaves its socket file
  echo "--- host log"; cat "$dir/host.log"; exit 0 ;;
esac
