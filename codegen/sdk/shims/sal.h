/* sal.h -- httpserv-rs stand-in: the markers live in specstrings.h. */
#include "specstrings.h"
