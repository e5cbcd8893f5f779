# expect: RE
import threading
import time
for _ in range(5000):
    threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
