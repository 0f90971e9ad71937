# with_progress WHAT COMMAND...: runs COMMAND and, while it runs, says on stderr every PROGRESS_EVERY seconds
# (default 60) that WHAT is still going on and for how long, so a long quiet build never looks hung.
with_progress() {
  local what=$1 every=${PROGRESS_EVERY:-60} started=$SECONDS ticker status
  shift
  # The sleep holds none of the caller's pipes: killed, the ticker may leave it behind, and a sleep still holding
  # stderr would keep whoever reads that pipe waiting up to PROGRESS_EVERY seconds.
  ( while sleep "$every" </dev/null >/dev/null 2>&1; do echo "k8s-assets: still $what ($((SECONDS - started))s so far)" >&2; done ) &
  ticker=$!
  "$@" && status=0 || status=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null || true
  return "$status"
}
