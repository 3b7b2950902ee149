"""`python -m tests.served_clock CLOCK_FILE MODULE ARGS…`: runs MODULE (uvicorn) as `python -m`
would, with the process's clock under the test's control (tests.support.ServerClock).

time-machine travels from the real time, and time flows on from wherever the test puts it:
the test writes "<number> <timestamp>" to CLOCK_FILE, this process moves its clock there and
answers "<number>" in CLOCK_FILE.moved. Only the wall clock moves (what careplatform.clock and
Django read); the monotonic clock of timers and the event loop runs on as it does.
"""

import os
import runpy
import sys
import threading
import time
from pathlib import Path

import time_machine

POLL_SECONDS = 0.02


def _follow(path: Path, traveller: time_machine.Traveller) -> None:
    moved = path.with_name(path.name + ".moved")
    done = ""
    while True:
        try:
            request = path.read_text()
        except FileNotFoundError:
            request = ""
        if request and request != done:
            number, timestamp = request.split()
            traveller.move_to(float(timestamp), tick=True)
            scratch = moved.with_name(moved.name + ".new")
            scratch.write_text(number)
            os.replace(scratch, moved)
            done = request
        time.sleep(POLL_SECONDS)


def main() -> None:
    clock_file, module, *args = sys.argv[1:]
    traveller = time_machine.travel(time.time(), tick=True).start()
    threading.Thread(target=_follow, args=(Path(clock_file), traveller), daemon=True).start()
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
