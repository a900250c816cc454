#!/usr/bin/python3
"""Small Optuna jobs for barista's server-storage tests (run with Debian's /usr/bin/python3).

    db_tools.py trials --storage URL --study NAME --n 5      # creates the study if needed, runs n trials
    db_tools.py copy --from URL --to URL --study NAME        # Optuna's own copy_study

Prints the numbers of the trials it ran (one JSON list) for `trials`.
"""
import argparse
import json
import sys
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    trial.report(x, 0)
    if trial.number % 5 == 3:
        raise optuna.TrialPruned()
    return (x - 2) ** 2 + (0 if kind == "a" else 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["trials", "copy"])
    parser.add_argument("--storage")
    parser.add_argument("--from", dest="source")
    parser.add_argument("--to")
    parser.add_argument("--study", required=True)
    parser.add_argument("--n", type=int, default=1)
    args = parser.parse_args()
    if args.command == "copy":
        optuna.copy_study(from_study_name=args.study, from_storage=args.source, to_storage=args.to)
        return
    study = optuna.create_study(study_name=args.study, storage=args.storage, load_if_exists=True, direction="minimize", sampler=optuna.samplers.RandomSampler(seed=len(sys.argv)))
    before = len(study.trials)
    study.optimize(objective, n_trials=args.n)
    print(json.dumps([t.number for t in study.trials[before:]]), flush=True)


if __name__ == "__main__":
    main()
