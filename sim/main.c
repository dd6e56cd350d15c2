#include "config.h"
#include "clock.h"
int main(void) { return 0; }
