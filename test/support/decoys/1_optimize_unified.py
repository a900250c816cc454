"""A decoy training worker for control tests: prints, then sleeps in short steps until killed."""
import sys
import time

print("worker " + " ".join(sys.argv[1:]), flush=True)
while True:
    time.sleep(0.2)
