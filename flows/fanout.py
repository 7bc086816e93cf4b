# SPDX-License-Identifier: ISC
"""Fan stockcast's heavy steps out over a distributed engine.

Three kinds of work split into independent tasks:

- the hyperparameter search: shard k of n runs `sc-tune --shard k/n`
  (trials k-1, k-1+n, ... of one random search) and stores its trials; the
  merge runs `sc-tune --merge`, which refuses trials of another search and
  duplicate trial numbers, and refits the best: the merged trials and model
  are those of one single-process search, byte for byte;
- inference: `sc-predict --next` on a group of tickers (a contiguous run of
  the sorted ticker list); the groups' forecasts, concatenated in group
  order under one header, are one run's;
- backtests: `sc-backtest` on a group of tickers (each group's model is
  fitted on that group's history only, so this is a per-group backtest,
  not a split of one all-ticker backtest).

Every task is a plain function of strings and numbers that shells out to
the programs (on PATH, or in `bin`), reads its inputs from the store and
writes its one output to the store under a key of its own, atomically
(sc-push).  A task that a dead worker leaves half done has written
nothing; run again (Dask reschedules a lost worker's tasks; Prefect retries
a failed one) it writes the same bytes under the same key, so a retry can
neither lose nor duplicate a trial.  The store is SC_STORE's: a directory
every worker sees, or s3://BUCKET/PREFIX (the AWS_* variables of the
worker's environment).

The same functions run on a Dask cluster (`search_on_dask`,
`predict_on_dask`; tests/integration/dask.sh runs them on a scheduler and
two workers), or as mapped Prefect tasks (`fanout_search`,
`fanout_predict`, defined when Prefect is installed) under whatever task
runner or work pool the deployment gives (docs/operations.md).
"""

import csv
import io
import os
import shutil
import subprocess
import tempfile
import time
from typing import Dict, List, Optional, Sequence


class TaskError(RuntimeError):
    """A program exited non-zero; the message has its status and stderr."""


def _env(store: str) -> Dict[str, str]:
    e = dict(os.environ)
    if store:
        e["SC_STORE"] = store
    return e


def _prog(name: str, bin_dir: str) -> str:
    return os.path.join(bin_dir, name) if bin_dir else name


def _run(argv: Sequence[str], env: Dict[str, str], stdin=None,
         stdout=None) -> None:
    p = subprocess.run(list(argv), env=env, stdin=stdin or subprocess.DEVNULL,
                       stdout=stdout, stderr=subprocess.PIPE, check=False)
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()[-600:]
        raise TaskError(f"{os.path.basename(argv[0])} exited "
                        f"{p.returncode}: {err}")


def _get(store: str, key: str, path: str, bin_dir: str) -> None:
    with open(path, "wb") as out:
        _run([_prog("sc-fetch", bin_dir), key], _env(store), stdout=out)


def _put(store: str, key: str, path: str, bin_dir: str) -> None:
    with open(path, "rb") as src:
        _run([_prog("sc-push", bin_dir), key], _env(store), stdin=src)


def _exists(store: str, key: str, bin_dir: str) -> bool:
    p = subprocess.run([_prog("sc-fetch", bin_dir), "--head", key],
                       env=_env(store), stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       check=False)
    if p.returncode == 0:
        return True
    if p.returncode == 66:
        return False
    raise TaskError(f"sc-fetch --head {key} exited {p.returncode}: "
                    f"{p.stderr.decode('utf-8', 'replace').strip()[-600:]}")


def _announce(what: str) -> None:
    """Test hook: with SC_FANOUT_GATE=DIR, write DIR/started.WHAT.PID and
    wait for DIR/go, so that a test can kill this worker mid-task."""
    gate = os.environ.get("SC_FANOUT_GATE")
    if not gate:
        return
    with open(os.path.join(gate, f"started.{what}.{os.getpid()}"), "w"):
        pass
    while not os.path.exists(os.path.join(gate, "go")):
        time.sleep(0.05)


def shard_key(prefix: str, k: int, n: int) -> str:
    """The store key of shard k of n's trials."""
    return f"{prefix}/shards/{k}-of-{n}.jsonl"


def tune_shard(store: str, prefix: str, k: int, n: int, trials: int,
               seed: int, tune_args: Sequence[str] = (),
               train_key: str = "processed/train.csv",
               bin_dir: str = "") -> str:
    """Run shard k/n of a `trials`-trial random search on train_key and
    store its trials JSONL under shard_key(prefix, k, n); return the key.
    A shard already stored is not run again."""
    key = shard_key(prefix, k, n)
    if _exists(store, key, bin_dir):
        return key
    _announce(f"shard{k}")
    with tempfile.TemporaryDirectory(prefix="sc-fanout.") as d:
        train = os.path.join(d, "train.csv")
        part = os.path.join(d, "part.jsonl")
        _get(store, train_key, train, bin_dir)
        with open(train, "rb") as src, open(part, "wb") as out:
            _run([_prog("sc-tune", bin_dir), "--trials", str(trials),
                  "--seed", str(seed), "--shard", f"{k}/{n}",
                  *tune_args], _env(store), stdin=src, stdout=out)
        _put(store, key, part, bin_dir)
    return key


def tune_merge(store: str, prefix: str, shard_keys: Sequence[str],
               trials: int, seed: int, tune_args: Sequence[str] = (),
               train_key: str = "processed/train.csv",
               bin_dir: str = "") -> Dict[str, str]:
    """Merge the shards' trials (sc-tune --merge refuses another search's
    trials and duplicates), refit the best, and store PREFIX/trials.jsonl
    and PREFIX/model.json; return their keys."""
    out = {"trials": f"{prefix}/trials.jsonl", "model": f"{prefix}/model.json"}
    with tempfile.TemporaryDirectory(prefix="sc-fanout.") as d:
        train = os.path.join(d, "train.csv")
        _get(store, train_key, train, bin_dir)
        parts = []
        for i, key in enumerate(shard_keys):
            parts.append(os.path.join(d, f"shard{i}.jsonl"))
            _get(store, key, parts[-1], bin_dir)
        model = os.path.join(d, "model.json")
        merged = os.path.join(d, "trials.jsonl")
        with open(train, "rb") as src, open(merged, "wb") as dst:
            _run([_prog("sc-tune", bin_dir), "--merge", "--trials",
                  str(trials), "--seed", str(seed), *tune_args, "-o", model,
                  *parts], _env(store), stdin=src, stdout=dst)
        _put(store, out["trials"], merged, bin_dir)
        _put(store, out["model"], model, bin_dir)
    return out


def ticker_groups(tickers: Sequence[str], n: int) -> List[List[str]]:
    """The sorted tickers in n contiguous groups of near-equal size (fewer
    when there are fewer tickers): concatenating the groups' outputs in
    this order keeps one run's ticker order."""
    t = sorted(set(tickers))
    n = max(1, min(n, len(t)))
    q, r = divmod(len(t), n)
    out, i = [], 0
    for g in range(n):
        m = q + (1 if g < r else 0)
        out.append(t[i:i + m])
        i += m
    return out


def _history_of(src: str, dst: str, tickers: Sequence[str]) -> int:
    """Copy the OHLCV rows of tickers from src to dst; the rows copied."""
    want, rows = set(tickers), 0
    with open(src, newline="") as f, open(dst, "w", newline="") as g:
        header = f.readline()
        col = next(csv.reader(io.StringIO(header))).index("ticker")
        g.write(header)
        for line in f:
            if next(csv.reader(io.StringIO(line)))[col] in want:
                g.write(line)
                rows += 1
    return rows


def group_key(prefix: str, what: str, g: int, n: int) -> str:
    """The store key of group g (1-based) of n's output."""
    return f"{prefix}/{what}/{g}-of-{n}.csv"


def predict_group(store: str, prefix: str, g: int, n: int,
                  tickers: Sequence[str], model_key: str, history_key: str,
                  predict_args: Sequence[str] = (),
                  bin_dir: str = "") -> str:
    """sc-predict --next with model_key for tickers (group g of n) from the
    OHLCV history at history_key; store the forecasts under
    group_key(prefix, "predict", g, n) and return the key."""
    key = group_key(prefix, "predict", g, n)
    if _exists(store, key, bin_dir):
        return key
    _announce(f"predict{g}")
    with tempfile.TemporaryDirectory(prefix="sc-fanout.") as d:
        model, hist = os.path.join(d, "model"), os.path.join(d, "all.csv")
        mine, out = os.path.join(d, "mine.csv"), os.path.join(d, "out.csv")
        _get(store, model_key, model, bin_dir)
        _get(store, history_key, hist, bin_dir)
        if _history_of(hist, mine, tickers) == 0:
            raise TaskError(f"group {g}: no history for {' '.join(tickers)}")
        _run([_prog("sc-predict", bin_dir), "-m", model, "--next",
              *predict_args, "-o", out, mine], _env(store))
        _put(store, key, out, bin_dir)
    return key


def backtest_group(store: str, prefix: str, g: int, n: int,
                   tickers: Sequence[str], history_key: str,
                   backtest_args: Sequence[str] = (),
                   bin_dir: str = "") -> str:
    """sc-backtest on the history of tickers (group g of n): a backtest of
    a model fitted on this group alone; stored under
    group_key(prefix, "backtest", g, n)."""
    key = group_key(prefix, "backtest", g, n)
    if _exists(store, key, bin_dir):
        return key
    _announce(f"backtest{g}")
    with tempfile.TemporaryDirectory(prefix="sc-fanout.") as d:
        hist, mine = os.path.join(d, "all.csv"), os.path.join(d, "mine.csv")
        out = os.path.join(d, "out.csv")
        _get(store, history_key, hist, bin_dir)
        if _history_of(hist, mine, tickers) == 0:
            raise TaskError(f"group {g}: no history for {' '.join(tickers)}")
        _run([_prog("sc-backtest", bin_dir), *backtest_args, "-o", out,
              mine], _env(store))
        _put(store, key, out, bin_dir)
    return key


def concat(store: str, keys: Sequence[str], out_key: str,
           bin_dir: str = "") -> str:
    """Store the CSV files at keys, in that order, under out_key: the first
    one's header, then every file's rows (headers must agree)."""
    with tempfile.TemporaryDirectory(prefix="sc-fanout.") as d:
        out = os.path.join(d, "out.csv")
        header = None
        with open(out, "w", newline="") as dst:
            for i, key in enumerate(keys):
                part = os.path.join(d, f"part{i}.csv")
                _get(store, key, part, bin_dir)
                with open(part, newline="") as src:
                    h = src.readline()
                    if header is None:
                        header = h
                        dst.write(h)
                    elif h != header:
                        raise TaskError(f"{key}: header differs from "
                                        f"{keys[0]}'s")
                    shutil.copyfileobj(src, dst)
        _put(store, out_key, out, bin_dir)
    return out_key


# Dask: the same functions on a distributed.Client.  A worker that dies
# has its tasks rescheduled by the scheduler; retries= covers a task that
# fails (a store that was briefly down).

def search_on_dask(client, store: str, prefix: str, shards: int,
                   trials: int, seed: int, tune_args: Sequence[str] = (),
                   train_key: str = "processed/train.csv",
                   bin_dir: str = "", retries: int = 2) -> Dict[str, str]:
    """Run the search as `shards` shard tasks and one merge task."""
    futs = [client.submit(tune_shard, store, prefix, k, shards, trials, seed,
                          tuple(tune_args), train_key, bin_dir,
                          key=f"tune-shard-{prefix}-{k}-of-{shards}",
                          retries=retries, pure=False)
            for k in range(1, shards + 1)]
    keys = client.gather(futs)
    return client.submit(tune_merge, store, prefix, keys, trials, seed,
                         tuple(tune_args), train_key, bin_dir,
                         key=f"tune-merge-{prefix}", retries=retries,
                         pure=False).result()


def predict_on_dask(client, store: str, prefix: str, tickers: Sequence[str],
                    groups: int, model_key: str, history_key: str,
                    out_key: str, predict_args: Sequence[str] = (),
                    bin_dir: str = "", retries: int = 2) -> str:
    """sc-predict --next over ticker groups, then their concatenation."""
    gs = ticker_groups(tickers, groups)
    futs = [client.submit(predict_group, store, prefix, g + 1, len(gs), grp,
                          model_key, history_key, tuple(predict_args),
                          bin_dir, key=f"predict-{prefix}-{g + 1}",
                          retries=retries, pure=False)
            for g, grp in enumerate(gs)]
    return client.submit(concat, store, client.gather(futs), out_key,
                         bin_dir, key=f"concat-{prefix}", retries=retries,
                         pure=False).result()


# Prefect: mapped tasks over the same functions, when Prefect is there.
try:
    from prefect import flow, task, unmapped
except ImportError:  # the functions above need nothing but the programs
    flow = None

if flow is not None:
    tune_shard_task = task(tune_shard, retries=2, retry_delay_seconds=10)
    tune_merge_task = task(tune_merge, retries=2, retry_delay_seconds=10)
    predict_group_task = task(predict_group, retries=2, retry_delay_seconds=10)
    concat_task = task(concat, retries=2, retry_delay_seconds=10)

    @flow(name="stockcast-fanout-search")
    def fanout_search(store: str, prefix: str, shards: int, trials: int,
                      seed: int, tune_args: Optional[List[str]] = None,
                      train_key: str = "processed/train.csv") -> Dict[str, str]:
        """The search as mapped shard tasks, then the merge."""
        args = tuple(tune_args or ())
        keys = tune_shard_task.map(unmapped(store), unmapped(prefix),
                                   list(range(1, shards + 1)),
                                   unmapped(shards), unmapped(trials),
                                   unmapped(seed), unmapped(args),
                                   unmapped(train_key))
        return tune_merge_task(store, prefix, [k.result() for k in keys],
                               trials, seed, args, train_key)

    @flow(name="stockcast-fanout-predict")
    def fanout_predict(store: str, prefix: str, tickers: str, groups: int,
                       model_key: str, history_key: str, out_key: str,
                       predict_args: Optional[List[str]] = None) -> str:
        """sc-predict --next as mapped ticker-group tasks, then concat."""
        gs = ticker_groups(tickers.split(), groups)
        keys = predict_group_task.map(
            unmapped(store), unmapped(prefix), list(range(1, len(gs) + 1)),
            unmapped(len(gs)), gs, unmapped(model_key),
            unmapped(history_key), unmapped(tuple(predict_args or ())))
        return concat_task(store, [k.result() for k in keys], out_key)
