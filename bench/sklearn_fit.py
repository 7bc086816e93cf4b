#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Time scikit-learn's RandomForestRegressor on a train/test CSV pair with
the bench hyperparameters (100 trees, max_features 1/3, min_samples_leaf
5, every core).  Prints one line: fit_s predict_s rmse.  Reading the CSV
is not timed.  usage: sklearn_fit.py TRAIN TEST TARGET [TREES]"""
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestRegressor

LABELS = ("date", "ticker", "close")


def load(path, target):
    with open(path) as f:
        head = f.readline().strip().split(",")
    keep = [i for i, c in enumerate(head)
            if c not in LABELS and not (c.startswith("target") and c != target)]
    data = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=keep)
    names = [head[i] for i in keep]
    ti = names.index(target)
    y = data[:, ti]
    X = np.delete(data, ti, axis=1)
    return X, y


def main():
    train, test, target = sys.argv[1], sys.argv[2], sys.argv[3]
    trees = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    X, y = load(train, target)
    Xt, yt = load(test, target)
    m = RandomForestRegressor(n_estimators=trees, max_features=1 / 3,
                              min_samples_leaf=5, n_jobs=-1, random_state=0)
    t0 = time.perf_counter()
    m.fit(X, y)
    t1 = time.perf_counter()
    p = m.predict(Xt)
    t2 = time.perf_counter()
    rmse = float(np.sqrt(np.mean((p - yt) ** 2)))
    print("%.3f %.3f %.6f" % (t1 - t0, t2 - t1, rmse))


if __name__ == "__main__":
    main()
