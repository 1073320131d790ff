/* suites.h: the test suites of mt_capi_tests, one per file (test_<area>.c), run by main.c. */
#ifndef MT_CAPI_SUITES_H
#define MT_CAPI_SUITES_H

void test_version(void);       /* versions, status names, last error, strings */
void test_creation(void);      /* creating tensors; errors of every shape argument */
void test_buffers(void);       /* buffers in and out, blobs */
void test_queries(void);       /* queries, get/set, to_string, reference counts */
void test_views(void);         /* views and copies */
void test_map_zip(void);       /* map and zip, their out forms, op names */
void test_reduce(void);        /* reduce, mean, matmul and their out forms */
void test_autograd(void);      /* autodiff and grad mode */
void test_nn(void);            /* generators, Linear, Mlp */
void test_losses(void);        /* losses and optimizers */
void test_datasets(void);      /* toy datasets */
void test_runtime(void);       /* backends, threads, diagnostics */
void test_dlpack(void);        /* DLPack export and import */
void test_null_args(void);     /* NULL handles and outs for every function, releases of NULL */
void test_handles(void);       /* released handles, double releases, other kinds, aliased outs */
void test_dist(void);          /* communicators without a launcher, collectives' value checks */
void test_sampler(void);       /* the sharded sampler's blocks for worlds of 1 to 4 ranks */
void test_data_parallel(void); /* DDP in a world of one, its buckets, no_sync, its checks */
void test_capture(void);       /* capture, graphs and plans against eager; every misuse */
void test_function(void);      /* traced functions at several sizes; the body's errors */

#endif /* MT_CAPI_SUITES_H */
