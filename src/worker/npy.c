/* npy.c - placeholder (being written). */
#include "npy.h"
typedef int npy_placeholder;
