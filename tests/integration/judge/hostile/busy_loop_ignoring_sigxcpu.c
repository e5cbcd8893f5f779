// expect: TLE
#include <signal.h>
int main(void) {
    signal(SIGXCPU, SIG_IGN);  /* the hard CPU limit and the wall clock still apply */
    volatile unsigned long x = 0;
    for (;;) x++;
}
