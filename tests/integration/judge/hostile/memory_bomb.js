// expect: MLE
const hoard = [];
for (;;) hoard.push(Buffer.alloc(16 << 20, 1));
