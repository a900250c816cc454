#!/usr/bin/python3
"""A real Optuna study for barista's interop test (run with Debian's /usr/bin/python3).

    interop_study.py --storage sqlite:////tmp/x/x.db --go /tmp/x/go --out /tmp/x/result.json
    interop_study.py --journal /tmp/x/journal.log   --go /tmp/x/go --out /tmp/x/result.json

Creates the storage and the study "interop" (--study), runs --warmup trials itself, prints READY,
and waits for the --go file (barista has seen the study by then; no --go: no wait). With
--existing NAME:N that study and its N trials come first, and --study is created after --go. With --aside
the storage is built beside its path and moved there just before READY, so a watcher's first sight
of a new storage already holds finished trials (as a poll every few seconds would find it). Then 2 worker processes each run --trials trials (completions,
prunes, failures by exception and by a NaN objective, an +inf value, reports every ~10 ms), while
a third worker is SIGKILLed in the middle of its trial (left RUNNING) and one trial is enqueued
and never run (WAITING). Every storage error a worker hits is caught and counted, "database is
locked" ones apart (--plain: no killed worker, no enqueued trial). At the end it writes what
Optuna itself reads (study.trials) and the counts.
"""
import argparse
import json
import logging
import math
import multiprocessing as mp
import os
import signal
import sys
import time
import traceback
import warnings

import optuna
from optuna.storages import JournalFileStorage, JournalStorage

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dump_trials import dump  # noqa: E402

warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


class LockCounter(logging.Handler):
    """Optuna logs a failed trial's exception: count the lock errors among them too."""

    def __init__(self):
        super().__init__()
        self.locked = 0

    def emit(self, record):
        text = record.getMessage() + (self.format(record) if record.exc_info else "")
        if "database is locked" in text:
            self.locked += 1


def storage_of(args, aside=False):
    if args.journal:
        return JournalStorage(JournalFileStorage(aside_of(args.journal) if aside else args.journal))
    return "sqlite:///" + aside_of(storage_file(args)) if aside else args.storage


def aside_of(file):
    """Where --aside builds the storage: beside it, under a name no watcher of it takes for a rotated sibling."""
    return os.path.join(os.path.dirname(file), "building-" + os.path.basename(file))


def storage_file(args):
    return args.journal or args.storage[len("sqlite:///"):]


def objective(trial):
    strategy = trial.suggest_categorical("strategy", ["sma", "ema", "rsi"])
    use_stop = trial.suggest_categorical("use_stop", [True, False])
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    stop_pct = trial.suggest_float("stop_pct", 0.0, 0.2, step=0.01)
    window = trial.suggest_int("window", 5, 50)
    n = trial.number
    if n % 9 == 5:
        raise ValueError(f"backtest blew up on trial {n}")  # -> FAIL
    if n % 13 == 6:
        return float("nan")  # -> FAIL
    base = {"sma": 0.5, "ema": 0.8, "rsi": 0.3}[strategy] + math.log10(lr) / 10 + window / 100 + (0.05 if use_stop else 0)
    score = 0.0
    for step in range(4):
        score = base * (step + 1) / 4 - stop_pct
        trial.report(score, step)
        time.sleep(0.01)
        if n % 7 == 3 and step == 1:
            raise optuna.TrialPruned()  # -> PRUNED, value = the last report
    trial.set_user_attr("mean_sharpe_bot", round(score * 2.1, 4))
    trial.set_user_attr("equity_tail", [1.0, 1.0 + score / 10])
    if n % 17 == 8:
        return float("inf")
    return score


def worker(args, index, results):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    counter = LockCounter()
    logging.getLogger("optuna").addHandler(counter)
    locked, errors = 0, []
    study = optuna.load_study(study_name=args.study, storage=storage_of(args))
    for _ in range(args.trials):
        try:
            study.optimize(objective, n_trials=1, catch=(ValueError,))
        except Exception as error:  # a storage error: count it and go on
            text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            if "database is locked" in text:
                locked += 1
            else:
                errors.append(text[-500:])
    results.put({"worker": index, "locked": locked + counter.locked, "errors": errors})


def hang(args, flag):
    study = optuna.load_study(study_name=args.study, storage=storage_of(args))

    def stuck(trial):
        trial.suggest_categorical("strategy", ["sma", "ema", "rsi"])
        trial.suggest_int("window", 5, 50)
        trial.report(0.123, 0)
        trial.set_user_attr("note", "worker will be SIGKILLed")
        with open(flag, "w") as f:
            f.write(str(trial.number))
        time.sleep(3600)
        return 0.0

    study.optimize(stuck, n_trials=1)


def wait_for(path, timeout):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        if time.time() > deadline:
            raise SystemExit(f"timed out waiting for {path}")
        time.sleep(0.02)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--storage")
    parser.add_argument("--journal")
    parser.add_argument("--go")
    parser.add_argument("--out", required=True)
    parser.add_argument("--study", default="interop")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--aside", action="store_true")
    parser.add_argument("--plain", action="store_true")
    parser.add_argument("--existing", help="NAME:TRIALS, a study run before READY; --study comes after --go")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def create(name, aside, warmup):
        study = optuna.create_study(study_name=name, storage=storage_of(args, aside), direction="maximize", sampler=optuna.samplers.RandomSampler(seed=7))
        study.set_user_attr("target_trials", args.workers * args.trials + warmup + (0 if args.plain else 5))
        study.optimize(objective, n_trials=warmup, catch=(ValueError,))

    if args.existing:
        name, count = args.existing.split(":")
        create(name, False, int(count))
    else:
        create(args.study, args.aside, args.warmup)
        if args.aside:
            os.replace(aside_of(storage_file(args)), storage_file(args))
    print("READY", flush=True)
    if args.go:
        wait_for(args.go, 60)
    if args.existing:
        create(args.study, False, args.warmup)

    spawn = mp.get_context("spawn")
    results = spawn.Queue()
    workers = [spawn.Process(target=worker, args=(args, i, results)) for i in range(args.workers)]
    for p in workers:
        p.start()
    victim = None if args.plain else spawn.Process(target=hang, args=(args, args.out + ".hang"))
    if victim:
        victim.start()
        wait_for(args.out + ".hang", 60)
        time.sleep(0.3)
        os.kill(victim.pid, signal.SIGKILL)  # mid-trial: its trial stays RUNNING
        victim.join()
    outcome = [results.get(timeout=300) for _ in workers]
    for p in workers:
        p.join()
    if victim:
        optuna.load_study(study_name=args.study, storage=storage_of(args)).enqueue_trial({"strategy": "ema", "window": 20})  # WAITING, never picked up

    spec = ("journal:" + args.journal) if args.journal else args.storage
    result = {
        "trials": dump(spec),
        "locked": sum(r["locked"] for r in outcome),
        "errors": [e for r in outcome for e in r["errors"]],
        "victim_exit": victim.exitcode if victim else None,
    }
    with open(args.out + ".tmp", "w") as f:
        json.dump(result, f)
    os.replace(args.out + ".tmp", args.out)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
