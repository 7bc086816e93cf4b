# SPDX-License-Identifier: ISC
"""Prefect flow that runs one step of the stockcast pipeline.

The pipeline's steps are the shell scripts in scripts/ (prepare, train,
register, inference, evaluate, plot); cron, systemd, Make and this flow all
run the same scripts, so there is one implementation to test.  The flow
only sets the environment from its parameters, runs scripts/STEP.sh, copies
its output line by line into the flow run's log, and fails the flow run when
the script exits non-zero (the exit status, a sysexits code, is in the
error).  It needs nothing beyond Prefect itself.

Secrets never travel as parameters or in prefect.yaml: the scripts read
AWS_* and SC_PUSHGATEWAY_URL from the worker's environment, or the flow
loads them from Prefect Secret blocks named in `secret_blocks`
({"AWS_SECRET_ACCESS_KEY": "stockcast-aws-secret"}).
"""

import os
import subprocess
from pathlib import Path
from typing import Dict, Optional

from prefect import flow, get_run_logger

STEPS = ("prepare", "train", "register", "inference", "evaluate", "plot",
         "drift", "report")
ROOT = Path(__file__).resolve().parent.parent


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


@flow(name="stockcast-step")
def run_step(step: str, tickers: str = "", store: str = "",
             env: Optional[Dict[str, str]] = None,
             secret_blocks: Optional[Dict[str, str]] = None) -> int:
    """Run scripts/STEP.sh; raise when it fails.

    step: one of prepare, train, register, inference, evaluate, plot,
          drift, report.
    tickers: SC_TICKERS ("AAPL MSFT ..."); empty keeps the environment's.
    store: SC_STORE (a directory or s3://bucket/prefix); empty keeps it.
    env: other SC_* settings (SC_TRIALS, SC_MODEL_NAME, ...), no secrets.
    secret_blocks: environment variable -> name of a Prefect Secret block.
    """
    log = get_run_logger()
    if step not in STEPS:
        raise ValueError(f"step {step!r}: want one of {', '.join(STEPS)}")
    script = ROOT / "scripts" / f"{step}.sh"
    e = step_env(tickers, store, env, secret_blocks)
    log.info("running %s (store %s, tickers %s)", script,
             e.get("SC_STORE", "./store"), e.get("SC_TICKERS", "default"))
    proc = subprocess.Popen(["sh", str(script)], cwd=ROOT, env=e,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        log.info("%s", line.rstrip("\n"))
    rc = proc.wait()
    if rc != 0:
        raise RuntimeError(f"scripts/{step}.sh exited with status {rc}")
    return rc


if __name__ == "__main__":
    import sys

    run_step(sys.argv[1] if len(sys.argv) > 1 else "inference")
