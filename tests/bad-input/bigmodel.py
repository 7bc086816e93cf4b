#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Write a valid model with one complete tree of 2^(DEPTH+1) - 1 nodes
(DEPTH 19: 1048575 nodes, 21 MB) on stdout, taking the header (features,
target, params) from BASE, a small model of sc-forest's.  For
tests/integration/bounds.sh; the output is never stored.

usage: bigmodel.py BASE DEPTH
"""
import json, sys
base = json.load(open(sys.argv[1]))
depth = int(sys.argv[2])
n = 2 ** (depth + 1) - 1
inner = 2 ** depth - 1
leaves = n - inner
out = sys.stdout
head = {k: v for k, v in base.items() if k not in ("trees", "targets")}
head["params"]["trees"] = 1
s = json.dumps(head)[:-1]
out.write(s + ',"targets":[0.0],"trees":[{"feature":[')
out.write(",".join(["0"] * inner + ["-1"] * leaves))
out.write('],"threshold":[' + ",".join(["0.5"] * inner + ["0"] * leaves))
out.write('],"left":[' + ",".join([str(2 * i + 1) for i in range(inner)] + ["-1"] * leaves))
out.write('],"right":[' + ",".join([str(2 * i + 2) for i in range(inner)] + ["-1"] * leaves))
out.write('],"value":[' + ",".join(["0"] * n))
out.write('],"count":[' + ",".join(["0"] * inner + ["1"] * leaves))
out.write('],"rank":[' + ",".join(["0"] * leaves) + "]}]}\n")
