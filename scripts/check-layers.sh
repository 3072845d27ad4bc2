#!/usr/bin/env bash
# The folder layering: a folder only includes folders below it (or itself). Bottom to top:
#   proto (generated: nodeagent/, github.com/) < util < kube < runtime < network < volumes < probes < agent
# test/ and bench/ may include anything. Prints every include that goes up and fails if any does.
set -euo pipefail
cd "$(dirname "$0")/.."
layers=(proto util kube runtime network volumes probes agent)
declare -A rank=([nodeagent]=0 [github.com]=0)
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done

bad=0
for folder in "${layers[@]}"; do
  [[ -d $folder ]] || continue
  own=${rank[$folder]}
  while IFS=: read -r file line target; do
    top=${target%%/*}
    [[ -n ${rank[$top]+x} ]] || continue   # system and third-party headers
    if (( rank[$top] > own )); then
      echo "$file:$line: $folder includes $target (layer $top is above $folder)"
      bad=1
    fi
  done < <(grep -rnoE '^#include "[^"]+"' "$folder" --include='*.h' --include='*.cc' | sed -E 's/#include "([^"]+)"/\1/')
done
if (( bad )); then echo "check-layers: includes go up the layers (see above)"; exit 1; fi
echo "check-layers: every folder includes only the layers below it"
