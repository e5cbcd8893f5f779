# expect: AC
# Prints the right answer only when nothing of the host can be read.
import os
a, b = map(int, input().split())
leaks = []
for path in ("/etc/shadow", "/etc/passwd", "/proc/1/environ", "/proc/1/mem", "/root/.bashrc",
             "/work/main/pyproject.toml", "/var/run/docker.sock", "/home"):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as f:
                f.read(1)
        leaks.append(path)
    except OSError:
        pass
for directory in ("/work", "/root", "/sys", "/run", "/var"):
    if os.path.exists(directory):
        leaks.append(directory)
print(a + b if not leaks else "LEAK " + " ".join(leaks))
