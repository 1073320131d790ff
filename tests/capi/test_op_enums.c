/* mt_capi_op_enums_test <path of minitensor.h>: the op enumerators of the header against the
 * library. Each MT_MAP_*, MT_ZIP_* and MT_REDUCE_* constant is read out of the header text
 * (so that no list of ops is written here); the library's name for its value must be its
 * suffix in lower case (MT_ZIP_IS_CLOSE = 10: mt_zip_name(10) is "is_close"), and the library
 * must name exactly as many ops as the header declares. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The whole file, NUL-terminated; NULL if it cannot be read. */
static char* read_file(const char* path) {
  FILE* file = fopen(path, "rb");
  char* text = NULL;
  long size;
  if (file == NULL) return NULL;
  if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 && fseek(file, 0, SEEK_SET) == 0 &&
      (text = malloc((size_t)size + 1)) != NULL) {
    if (fread(text, 1, (size_t)size, file) != (size_t)size) {
      free(text);
      text = NULL;
    } else {
      text[size] = '\0';
    }
  }
  fclose(file);
  return text;
}

static int is_name_char(char c) {
  return isupper((unsigned char)c) || isdigit((unsigned char)c) || c == '_';
}

/* Checks every "<prefix>NAME = <value>" of the header against `name_of` and returns how many
 * there are. */
static int check_enumerators(const char* header, const char* prefix,
                             const char* (*name_of)(int32_t)) {
  const size_t prefix_len = strlen(prefix);
  const char* p = header;
  char suffix[64];
  int count = 0;
  while ((p = strstr(p, prefix)) != NULL) {
    size_t n = 0;
    const char* q = p + prefix_len;
    char* end;
    long value;
    /* A whole identifier: not the tail of a longer one (MT_REDUCE_ in MT_REDUCE_X is fine,
     * but not in XMT_REDUCE_). */
    const int starts_name = p == header || !is_name_char(p[-1]);
    p = q;
    if (!starts_name) continue;
    while (is_name_char(*q) && n + 1 < sizeof suffix)
      suffix[n++] = (char)tolower((unsigned char)*q++);
    suffix[n] = '\0';
    while (*q == ' ')
      ++q;
    if (n == 0 || *q != '=') continue; /* a use, not the enumerator's definition */
    ++q;
    value = strtol(q, &end, 10);
    if (end == q) continue;
    ++count;
    check_context(suffix);
    CHECK(value >= 0 && value <= INT32_MAX);
    CHECK(name_of((int32_t)value) != NULL);
    if (name_of((int32_t)value) != NULL) CHECK_STR(name_of((int32_t)value), suffix);
  }
  check_context("");
  return count;
}

/* The number of values the library names: 0 .. count - 1. */
static int named_count(const char* (*name_of)(int32_t)) {
  int n = 0;
  while (name_of(n) != NULL)
    ++n;
  return n;
}

int main(int argc, char** argv) {
  char* header;
  int maps, zips, reduces;
  if (argc != 2 || (header = read_file(argv[1])) == NULL) {
    fprintf(stderr, "usage: %s <path of minitensor.h> (readable)\n", argv[0]);
    return 2;
  }
  maps = check_enumerators(header, "MT_MAP_", mt_map_name);
  zips = check_enumerators(header, "MT_ZIP_", mt_zip_name);
  reduces = check_enumerators(header, "MT_REDUCE_", mt_reduce_name);
  CHECK(maps > 0 && maps == named_count(mt_map_name));
  CHECK(zips > 0 && zips == named_count(mt_zip_name));
  CHECK(reduces > 0 && reduces == named_count(mt_reduce_name));
  CHECK(mt_map_name(-1) == NULL && mt_zip_name(-1) == NULL && mt_reduce_name(-1) == NULL);
  printf("%d map, %d zip and %d reduce ops in the header and the library\n", maps, zips, reduces);
  free(header);
  return check_summary("mt_capi_op_enums_test");
}
