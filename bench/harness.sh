# harness.sh — sourced by the bench scripts: sets HARNESS to the shared
# bench directory (default ../shared/bench). The harness builds its
# reference binaries into its own bin/; when that directory cannot be
# written (a read-only checkout of the shared tree), a copy in a temporary
# directory is used instead, removed on exit.
HARNESS=${HARNESS:-$root/../shared/bench}
[[ -d $HARNESS ]] || HARNESS=/work/shared/bench
if [[ ! -w $HARNESS ]]; then
  harness_copy=$(mktemp -d "${TMPDIR:-/tmp}/lcwh-harness.XXXXXX")
  trap 'rm -rf "$harness_copy"' EXIT
  cp -R "$HARNESS/." "$harness_copy/"
  chmod -R u+w "$harness_copy"
  HARNESS=$harness_copy
fi
