# expect: AC
# Prints the right answer only when every connection attempt fails.
import socket
a, b = map(int, input().split())
leaks = []
for host, port in (("127.0.0.1", 5432), ("127.0.0.1", 5672), ("127.0.0.1", 22),
                   ("1.1.1.1", 53), ("10.0.0.1", 80)):
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        leaks.append(f"{host}:{port}")
    except OSError:
        pass
print(a + b if not leaks else "LEAK " + " ".join(leaks))
