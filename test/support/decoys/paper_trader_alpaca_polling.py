"""A decoy of the paper trader for control tests (never the real one).

Like the real trader (surface.md §1.1.1) it installs a handler for SIGINT only: the handler
prints a line and sets a flag, the current time.sleep runs to its end (PEP 475 resumes it), and
the loop then exits 0. SIGTERM keeps its default action: the process dies without a word.

Decoy-only flags: --decoy-sleep S (one poll's sleep), --decoy-ignore-sigint, --decoy-exit N
(print a few lines, then exit N at once), --decoy-env (print the environment's names).
"""
import argparse
import os
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--model-dir")
parser.add_argument("--log-file", default="paper_trades/alpaca_session.csv")
parser.add_argument("--decoy-sleep", type=float, default=0.5)
parser.add_argument("--decoy-ignore-sigint", action="store_true")
parser.add_argument("--decoy-exit", type=int)
parser.add_argument("--decoy-env", action="store_true")
args, _ = parser.parse_known_args()

if args.decoy_exit is not None:
    print("Loading model from %s" % args.model_dir)
    print("Traceback (most recent call last):", file=sys.stderr)
    print("  posting to https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789ABCD", file=sys.stderr)
    print("FileNotFoundError: no checkpoint in %s" % args.model_dir, file=sys.stderr)
    sys.exit(args.decoy_exit)

running = True


def on_interrupt(signum, frame):
    global running
    print("\nReceived interrupt, stopping...", flush=True)
    running = False


if args.decoy_ignore_sigint:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
else:
    signal.signal(signal.SIGINT, on_interrupt)

if args.decoy_env:
    print("env: " + " ".join(sorted(os.environ.keys())), flush=True)
print("\nStarting Alpaca paper trading (REST API polling)...", flush=True)
print("Press Ctrl+C to stop.", flush=True)
while running:
    print("[poll] Polling for new bars...", flush=True)
    time.sleep(args.decoy_sleep)
print("decoy: loop ended", flush=True)
sys.exit(0)
