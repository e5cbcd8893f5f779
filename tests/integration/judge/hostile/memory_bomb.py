# expect: MLE
hoard = []
while True:
    hoard.append(b"x" * (16 << 20))
