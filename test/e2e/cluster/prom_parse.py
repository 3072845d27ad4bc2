#!/usr/bin/python3
"""Parses Prometheus text on stdin with the real prometheus_client parser (Debian's
python3-prometheus-client) and prints one JSON list of [family, sample, labels, value]."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    out.append([family.name, family.name + "#family", {}, 0])
    for s in family.samples:
        out.append([family.name, s.name, s.labels, s.value])
print(json.dumps(out))
