# expect: AC
# Tries to read the supervisor's memory and to become someone else, then answers.
import os
a, b = map(int, input().split())
leaks = []
for attempt in (lambda: open("/proc/1/mem", "rb").read(1),
                lambda: open("/proc/1/environ", "rb").read(1),
                lambda: os.setuid(0),
                lambda: os.chroot("/tmp"),
                lambda: open("/usr/bin/python3", "ab")):
    try:
        attempt()
        leaks.append(attempt.__code__.co_firstlineno)
    except OSError:
        pass
print(a + b if not leaks else f"LEAK {leaks}")
