// expect: MLE
#include <stdlib.h>
#include <string.h>
int main(void) {
    for (;;) {
        char *p = malloc(1 << 20);
        if (!p) continue;  /* keep asking: the limit must hold anyway */
        memset(p, 7, 1 << 20);
    }
}
