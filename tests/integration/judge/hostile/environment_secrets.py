# expect: AC
# The judge's own environment holds secrets (tests put ARENA_TEST_SECRET there): none may leak.
import os
a, b = map(int, input().split())
extra = sorted(set(os.environ) - {"PATH", "LANG"})
print(a + b if not extra else "LEAK " + " ".join(f"{k}={os.environ[k]}" for k in extra))
