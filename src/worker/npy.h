/* npy.h - placeholder (being written). */
#ifndef TEEU_WORKER_NPY_H
#define TEEU_WORKER_NPY_H
#endif
