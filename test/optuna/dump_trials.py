#!/usr/bin/python3
"""Dump every study and trial of an Optuna storage as Optuna itself reads them (JSON on stdout).

    /usr/bin/python3 dump_trials.py sqlite:///path/x.db
    /usr/bin/python3 dump_trials.py journal:/path/journal.log

±inf and NaN are written as the strings "Infinity", "-Infinity", "NaN" (as barista's events carry them).
"""
import json
import math
import sys
import warnings

import optuna
from optuna.storages import JournalFileStorage, JournalStorage

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (list, tuple)):
        return [safe(v) for v in value]
    if isinstance(value, dict):
        return {k: safe(v) for k, v in value.items()}
    return value


def storage_of(spec):
    if spec.startswith("journal:"):
        return JournalStorage(JournalFileStorage(spec[len("journal:"):]))
    return spec


def dump(spec):
    storage = storage_of(spec)
    out = {}
    for summary in optuna.get_all_study_summaries(storage, include_best_trial=False):
        study = optuna.load_study(study_name=summary.study_name, storage=storage)
        out[summary.study_name] = {
            "directions": [d.name for d in study.directions],
            "user_attrs": safe(study.user_attrs),
            "trials": [
                {
                    "number": t.number,
                    "state": t.state.name,
                    "values": safe(t.values),
                    "params": safe(t.params),
                    "user_attrs": safe(t.user_attrs),
                    "intermediate_count": len(t.intermediate_values),
                    "datetime_start": t.datetime_start.isoformat(sep=" ") if t.datetime_start else None,
                    "datetime_complete": t.datetime_complete.isoformat(sep=" ") if t.datetime_complete else None,
                }
                for t in study.trials
            ],
        }
    return out


if __name__ == "__main__":
    json.dump(dump(sys.argv[1]), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
