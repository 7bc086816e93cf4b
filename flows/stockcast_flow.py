# SPDX-License-Identifier: ISC
"""Prefect flow that runs one step of the stockcast pipeline.

The pipeline's steps are the shell scripts in scripts/ (prepare, train,
register, inference, evaluate, plot); cron, systemd, Make and this flow all
run the same scripts, so there is one implementation to test.  The flow
only sets the environment from its parameters, runs scripts/STEP.sh, copies
its output line by line into the flow run's log, and fails the flow run when
the script exits non-zero (the exit status, a sysexits code, is in the
error).  A temporary failure (exit 75: rate limited, a timeout) is run again
with backoff first.  A missing store, or prefect.yaml's template left
unrendered because STOCKCAST_STORE was unset at `prefect deploy`, is refused
before anything runs.  It needs nothing beyond Prefect itself.

Secrets never travel as parameters or in prefect.yaml: the scripts read
AWS_* and SC_PUSHGATEWAY_URL from the worker's environment, or the flow
loads them from Prefect Secret blocks named in `secret_blocks`
({"AWS_SECRET_ACCESS_KEY": "stockcast-aws-secret"}).
"""

import os
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional

from prefect import flow, get_run_logger

STEPS = ("prepare", "train", "register", "inference", "evaluate", "plot",
         "drift", "report")
ROOT = Path(__file__).resolve().parent.parent
EX_TEMPFAIL = 75  # sysexits: rate limited or a timeout, worth another try


def check_store(store: str) -> None:
    """Refuse a store that is missing or an unrendered template.

    prefect.yaml passes "{{ $STOCKCAST_STORE }}"; when that variable was
    unset at `prefect deploy`, the template reaches the flow as it is, and
    the scripts would make a local directory of that name.
    """
    if "{{" in store or "}}" in store or store.startswith("$"):
        raise ValueError(
            f"store {store!r} is an unrendered template: set STOCKCAST_STORE "
            "(a directory or s3://bucket/prefix) and run `prefect deploy` again")
    if not store:
        raise ValueError("no store: give the store parameter or set SC_STORE "
                         "in the worker's environment (STOCKCAST_STORE at "
                         "`prefect deploy`)")


def step_env(tickers: str, store: str, env: Optional[Dict[str, str]],
             secret_blocks: Optional[Dict[str, str]]) -> Dict[str, str]:
    """The script's environment: the worker's, then the parameters."""
    e = dict(os.environ)
    if tickers:
        e["SC_TICKERS"] = tickers
    if store:
        e["SC_STORE"] = store
    for k, v in (env or {}).items():
        if not k.startswith("SC_"):
            raise ValueError(f"env: {k}: only SC_* settings may be parameters")
        e[k] = str(v)
    if secret_blocks:
        from prefect.blocks.system import Secret

        for var, block in secret_blocks.items():
            e[var] = Secret.load(block).get()
    return e


def run_script(script: Path, e: Dict[str, str], log) -> int:
    """Run one script, its output line by line into the log; its status."""
    proc = subprocess.Popen(["sh", str(script)], cwd=ROOT, env=e,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        log.info("%s", line.rstrip("\n"))
    return proc.wait()


@flow(name="stockcast-step")
def run_step(step: str, tickers: str = "", store: str = "",
             env: Optional[Dict[str, str]] = None,
             secret_blocks: Optional[Dict[str, str]] = None,
             retries: int = 3, retry_delay: float = 60.0) -> int:
    """Run scripts/STEP.sh; raise when it fails.

    step: one of prepare, train, register, inference, evaluate, plot,
          drift, report.
    tickers: SC_TICKERS ("AAPL MSFT ..."); empty keeps the environment's.
    store: SC_STORE (a directory or s3://bucket/prefix); empty keeps the
    environment's, which must then be set.  An unrendered template (the
    deployment was made without STOCKCAST_STORE) is refused.
    env: other SC_* settings (SC_TRIALS, SC_MODEL_NAME, ...), no secrets.
    secret_blocks: environment variable -> name of a Prefect Secret block.
    retries, retry_delay: a temporary failure (exit 75: rate limited, a
    timeout) is run again up to `retries` times, after retry_delay seconds,
    then twice that, and so on (capped at an hour); other failures are not.
    """
    log = get_run_logger()
    if step not in STEPS:
        raise ValueError(f"step {step!r}: want one of {', '.join(STEPS)}")
    if retries < 0 or retry_delay < 0:
        raise ValueError("retries and retry_delay must not be negative")
    script = ROOT / "scripts" / f"{step}.sh"
    e = step_env(tickers, store, env, secret_blocks)
    check_store(e.get("SC_STORE", ""))
    log.info("running %s (store %s, tickers %s)", script,
             e["SC_STORE"], e.get("SC_TICKERS", "default"))
    attempt = 0
    while True:
        rc = run_script(script, e, log)
        if rc != EX_TEMPFAIL or attempt >= retries:
            break
        attempt += 1
        delay = min(retry_delay * 2 ** (attempt - 1), 3600.0)
        log.warning("scripts/%s.sh: temporary failure (exit %d): retry %d of "
                    "%d in %g s", step, rc, attempt, retries, delay)
        time.sleep(delay)
    if rc != 0:
        tries = f" after {attempt + 1} attempts" if attempt else ""
        raise RuntimeError(f"scripts/{step}.sh exited with status {rc}{tries}")
    return rc


if __name__ == "__main__":
    import sys

    run_step(sys.argv[1] if len(sys.argv) > 1 else "inference")
