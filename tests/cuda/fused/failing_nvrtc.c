/* A stand-in for libnvrtc whose every compile fails, as NVRTC does on a kernel it cannot
 * compile: the tests point MINITENSOR_NVRTC here to see a plan fall back to the unfused kernels
 * with the compiler's message in its report. Only the entry points the plugin binds. */
#include <stddef.h>
#include <string.h>

enum { kSuccess = 0, kCompilationError = 6 };
static const char kLog[] = "kernel.cu(1): error: injected by failing_nvrtc.c";
static int program_token;

int nvrtcVersion(int* major, int* minor) {
  *major = 13;
  *minor = 0;
  return kSuccess;
}
int nvrtcCreateProgram(void** program, const char* source, const char* name, int headers,
                       const char* const* contents, const char* const* names) {
  (void)source, (void)name, (void)headers, (void)contents, (void)names;
  *program = &program_token;
  return kSuccess;
}
int nvrtcCompileProgram(void* program, int count, const char* const* options) {
  (void)program, (void)count, (void)options;
  return kCompilationError;
}
int nvrtcDestroyProgram(void** program) {
  *program = NULL;
  return kSuccess;
}
int nvrtcGetProgramLogSize(void* program, size_t* size) {
  (void)program;
  *size = sizeof kLog;
  return kSuccess;
}
int nvrtcGetProgramLog(void* program, char* log) {
  (void)program;
  memcpy(log, kLog, sizeof kLog);
  return kSuccess;
}
int nvrtcGetCUBINSize(void* program, size_t* size) {
  (void)program;
  *size = 0;
  return kCompilationError;
}
int nvrtcGetCUBIN(void* program, char* cubin) {
  (void)program, (void)cubin;
  return kCompilationError;
}
const char* nvrtcGetErrorString(int result) {
  return result == kCompilationError ? "NVRTC_ERROR_COMPILATION" : "NVRTC_SUCCESS";
}
