# expect: AC
# Tries to kill the supervisor and everything it can see, then answers.
import os
import signal
a, b = map(int, input().split())
for target in (os.getppid(), 1):
    for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):
        try:
            os.kill(target, sig)
        except OSError:
            pass
print(a + b)
