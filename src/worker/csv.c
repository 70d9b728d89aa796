/* csv.c - placeholder */
#include "csv.h"
typedef int csv_placeholder;
