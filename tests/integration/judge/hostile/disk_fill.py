# expect: RE
# Fill every writable place; the private tmpfs caps and RLIMIT_FSIZE must stop it.
import os
block = b"\0" * (1 << 20)
for place in ("/tmp", "/box", "/dev/shm", "."):
    try:
        for i in range(10_000):
            with open(os.path.join(place, f"fill{i}"), "wb") as f:
                for _ in range(64):
                    f.write(block)
    except OSError:
        pass
raise SystemExit(1)
