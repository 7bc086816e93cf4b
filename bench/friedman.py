#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Write the friedman1 bench data: sklearn.datasets.make_friedman1 with
200,000 rows x 10 features, noise 1.0, seed 0, split 80/20 (first 80% of
rows train, the rest test) into DIR/train.csv and DIR/test.csv with
columns x0..x9 and target.  Numbers are written with repr(), which reads
back to the same double."""
import sys

import numpy as np
from sklearn.datasets import make_friedman1


def write(path, X, y):
    with open(path, "w") as f:
        f.write(",".join("x%d" % j for j in range(X.shape[1])) + ",target\n")
        for row, t in zip(X.tolist(), y.tolist()):
            f.write(",".join(map(repr, row)) + "," + repr(t) + "\n")


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    X, y = make_friedman1(n_samples=n, n_features=10, noise=1.0,
                          random_state=0)
    cut = int(n * 0.8)
    write(out + "/train.csv", X[:cut], y[:cut])
    write(out + "/test.csv", X[cut:], y[cut:])


if __name__ == "__main__":
    main()
