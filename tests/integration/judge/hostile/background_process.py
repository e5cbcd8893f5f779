# expect: AC
# Leaves a detached grandchild behind that would outlive the run: it must not.
import os
import time
a, b = map(int, input().split())
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 3)
        time.sleep(10**6)
    os._exit(0)
os.wait()
print(a + b)
