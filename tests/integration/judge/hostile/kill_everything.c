// expect: AC
// kill(-1) reaches every process of its own uid in the sandbox, never the supervisor.
#include <signal.h>
#include <stdio.h>
int main(void) {
    int a, b;
    if (scanf("%d %d", &a, &b) != 2) return 1;
    kill(-1, SIGKILL);
    kill(1, SIGKILL);
    printf("%d\n", a + b);
    return 0;
}
