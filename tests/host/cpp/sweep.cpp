// sweep.cpp -- the record the generated recorder classes write (see sweep.h).
#include "sweep.h"

SweepRecord g_sweep_record = {};

extern "C" SweepRecord *sweep_record(void) { return &g_sweep_record; }
