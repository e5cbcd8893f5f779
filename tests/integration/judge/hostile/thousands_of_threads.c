// expect: AC
// Starts threads until it cannot; the process limit must stop it, and it answers anyway.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *sleeper(void *arg) { (void)arg; pause(); return 0; }
int main(void) {
    int a, b, started = 0;
    if (scanf("%d %d", &a, &b) != 2) return 1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 65536);
    for (int i = 0; i < 5000; i++) {
        pthread_t t;
        if (pthread_create(&t, &attr, sleeper, 0) != 0) break;
        started++;
    }
    printf("%d\n", started < 5000 ? a + b : -1);
    fflush(stdout);
    _exit(0);
}
