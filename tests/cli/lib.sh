# lib.sh — helpers for the CLI tests. Source it; $MMUSIM is the binary.
set -u
MMUSIM=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0; failed=0

pass() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }

# expect_error NAME EXPECTED_EXIT PATTERN... -- ARGS: run mmusim ARGS, require
# the exit status and that stderr contains every PATTERN (fixed strings).
expect_error() {
  local name=$1 want=$2; shift 2
  local pats=()
  while [ "$1" != "--" ]; do pats+=("$1"); shift; done
  shift
  "$MMUSIM" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    fail "$name: exit $rc, expected $want; stderr: $(cat "$TMP/err")"; return
  fi
  local n; n=$(grep -c "mmusim: error:" "$TMP/err")
  if [ "$n" -ne 1 ]; then fail "$name: expected exactly one error line, got $n: $(cat "$TMP/err")"; return; fi
  for p in "${pats[@]}"; do
    grep -qF -- "$p" "$TMP/err" || { fail "$name: stderr lacks '$p': $(cat "$TMP/err")"; return; }
  done
  pass
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
