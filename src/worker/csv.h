/* csv.h - placeholder */
#ifndef TEEU_WORKER_CSV_H
#define TEEU_WORKER_CSV_H
#endif
