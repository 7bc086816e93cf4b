#!/usr/bin/python3
# SPDX-License-Identifier: ISC
# The old system's training step as its users run it: Optuna's TPE sampler
# (seed 0), scikit-learn's RandomForestRegressor (n_jobs=-1) scored by
# TimeSeriesSplit cross-validation on the training table only, over the
# same search space as sc-tune's default.  The rows are sorted by date
# (stable, so tickers keep their order within a day) so that
# TimeSeriesSplit cuts by time; it cuts by row count, sc-tune by date.
# usage: optuna_tune.py TRAIN.csv TARGET TRIALS FOLDS
# prints: wall_seconds best_cv_rmse best_trial_number best_params_json
# usage: optuna_tune.py TRAIN.csv TARGET PARAMS_JSON FOLDS
# prints the CV RMSE of those parameters (sc-tune's best) under this CV.
import csv
import json
import sys
import time

import numpy as np
import optuna
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import TimeSeriesSplit

path, target, folds = sys.argv[1], sys.argv[2], int(sys.argv[4])
t0 = time.time()
with open(path, newline="") as fp:
    rows = list(csv.reader(fp))
head, rows = rows[0], rows[1:]
if "date" in head:
    d = head.index("date")
    rows.sort(key=lambda r: r[d])  # stable: tickers keep their order
labels = {"date", "ticker", "close"}
fcol = [i for i, c in enumerate(head)
        if c not in labels and not c.startswith("target")]
X = np.array([[float(r[i]) for i in fcol] for r in rows])
y = np.array([float(r[head.index(target)]) for r in rows])
cv = list(TimeSeriesSplit(n_splits=folds).split(X))


def cv_rmse(p):
    rmse = []
    for tr, va in cv:
        m = RandomForestRegressor(random_state=0, n_jobs=-1, **p)
        m.fit(X[tr], y[tr])
        rmse.append(float(np.sqrt(np.mean((m.predict(X[va]) - y[va]) ** 2))))
    return float(np.mean(rmse))


if sys.argv[3].startswith("{"):
    q = json.loads(sys.argv[3])
    print("%.17g" % cv_rmse(dict(
        n_estimators=q["trees"], max_depth=q["max_depth"],
        min_samples_split=q["min_samples_split"],
        min_samples_leaf=q["min_samples_leaf"],
        max_features=q["max_features"])))
    sys.exit(0)


def objective(trial):
    p = dict(
        n_estimators=trial.suggest_int("trees", 50, 300),
        max_depth=trial.suggest_int("max_depth", 3, 10),
        min_samples_split=trial.suggest_float("min_samples_split", 0.01, 0.1),
        min_samples_leaf=trial.suggest_int("min_samples_leaf", 1, 32, log=True),
        max_features=trial.suggest_float("max_features", 0.1, 1.0),
    )
    return cv_rmse(p)


optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
study.optimize(objective, n_trials=int(sys.argv[3]))
wall = time.time() - t0
print("%.3f %.17g %d %s" % (wall, study.best_value, study.best_trial.number,
                            json.dumps(study.best_params, sort_keys=True)))
