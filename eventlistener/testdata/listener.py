"""A listener as listener authors write them, with supervisor.childutils.

listener.py OUT MODE: appends "eventname serial poolserial pool|payload" to
OUT for each event (payload newlines as \\n), then answers per MODE:
  ok     RESULT OK
  fail1  FAIL the first time an event (by serial) is seen, OK after
  hang   never answers (stays BUSY)
"""
import os
import sys
import time

from supervisor import childutils

out, mode = sys.argv[1], sys.argv[2]
seen = set()
while True:
    headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
    with open(out, "a") as f:
        f.write("%s %s %s %s %s|%s\n" % (headers["eventname"], headers["serial"], headers["poolserial"],
                                       headers["pool"], os.environ.get("SUPERVISOR_PROCESS_NAME", ""),
                                       payload.replace("\n", "\\n")))
    if mode == "hang":
        time.sleep(1000)
    if mode == "fail1" and headers["serial"] not in seen:
        seen.add(headers["serial"])
        childutils.listener.fail(sys.stdout)
        continue
    childutils.listener.ok(sys.stdout)
