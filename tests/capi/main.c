/* mt_capi_tests: the C API test suite (C99). Runs every suite; fails when any check fails. */
#include <stdio.h>

#include "check.h"
#include "suites.h"

int main(void) {
  static const struct {
    const char* name;
    void (*run)(void);
  } suites[] = {{"version", test_version},
                {"creation", test_creation},
                {"buffers", test_buffers},
                {"queries", test_queries},
                {"views", test_views},
                {"map_zip", test_map_zip},
                {"reduce", test_reduce},
                {"autograd", test_autograd},
                {"nn", test_nn},
                {"losses", test_losses},
                {"datasets", test_datasets},
                {"runtime", test_runtime},
                {"dlpack", test_dlpack},
                {"null_args", test_null_args},
                {"handles", test_handles},
                {"dist", test_dist},
                {"sampler", test_sampler},
                {"data_parallel", test_data_parallel},
                {"capture", test_capture},
                {"function", test_function}};
  size_t i;
  for (i = 0; i < sizeof suites / sizeof suites[0]; ++i) {
    printf("--- %s\n", suites[i].name);
    fflush(stdout);
    suites[i].run();
  }
  return check_summary("mt_capi_tests");
}
