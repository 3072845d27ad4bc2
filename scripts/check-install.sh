#!/usr/bin/env bash
# Installs the build into a scratch DESTDIR and checks that what systemd/nodeagent.service runs
# is there: ExecStart's binary, nodeagent-logger beside it, the --config file, the docs.
#   scripts/check-install.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: check-install.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mktemp -d /tmp/na-install-XXXXXX)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$build" --prefix /usr/local >/dev/null
unit=$src/systemd/nodeagent.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
binary=${exec_start%% *}
config=$(sed -n 's/.*--config \([^ ]*\).*/\1/p' <<<"$exec_start")
doc=$(sed -n 's|^Documentation=file://||p' "$unit")
bad=0
for f in "$binary" "$(dirname "$binary")/nodeagent-logger" "$(dirname "$binary")/nodectl" "$config" "$doc" \
         /usr/local/lib/systemd/system/nodeagent.service; do
  if [[ -e $dest$f ]]; then echo "ok: $f"; else echo "missing: $f (named by the unit or needed beside the agent)"; bad=1; fi
done
[[ -x $dest$binary ]] || { echo "not executable: $binary"; bad=1; }
exit $bad
