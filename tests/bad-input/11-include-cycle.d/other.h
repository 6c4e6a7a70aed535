#include "../11-include-cycle.h"
