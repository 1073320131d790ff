#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <minitensor/minitensor.h>

#include "nice_step.h"

#define PROGRAM "mt_train_c"

typedef enum {
  ARG_INT,
  ARG_REAL,
  ARG_TEXT,
  ARG_DATASET,
  ARG_DTYPE,
  ARG_BACKEND,
  ARG_DEVICE
} arg_kind;

typedef struct arg_spec {
  const char* name; /* without the leading "--" */
  arg_kind kind;
  void* target;
  int64_t min, max; /* the range of an ARG_INT */
} arg_spec;

void options_usage(FILE* stream, const char* program) {
  fprintf(stream,
          "usage: %s [options]\n"
          "Trains MiniTorch's classifier (MLP 2 -> H -> H -> 1, relu, sigmoid, binary\n"
          "cross-entropy, SGD over minibatches in order) on a toy dataset through the C API,\n"
          "prints its progress, and writes the decision boundary and the loss and accuracy\n"
          "curves as SVG plots. On a terminal a live line shows the epoch, loss, accuracy\n"
          "and the time left.\n"
          "\n"
          "  --dataset NAME   simple, diag, split, xor, circle or spiral (default xor)\n"
          "  --points N       dataset size (default 50)\n"
          "  --hidden H       width of the two hidden layers (default 10)\n"
          "  --epochs N       (default 500)\n"
          "  --lr RATE        SGD learning rate (default 0.05)\n"
          "  --batch N        points per minibatch (default 10)\n"
          "  --dtype TYPE     float32 or float64 (default float64)\n"
          "  --seed S         initial weights from seed S, data points from S + 1 (default 3,\n"
          "                   as the C++ demo mt_train)\n"
          "  --backend NAME   cpu_par or cpu_seq (default: the library's, cpu_par)\n"
          "  --threads N      threads of cpu_par (default 0: MINITENSOR_NUM_THREADS or all)\n"
          "  --device DEVICE  cpu, cuda or cuda:N: where the model, the data and the training\n"
          "                   live (default cpu)\n"
          "  --svg PATH       the decision boundary's plot (default decision_boundary.svg)\n"
          "  --curves PATH    the loss and accuracy curves' plot (default\n"
          "                   training_curves.svg)\n"
          "  --every N        a progress line every N epochs and after the last (default: the\n"
          "                   smallest of 1, 2, 5, 10, 20, 50, ... giving at most 20 lines)\n"
          "  --quiet          no progress lines, only the summary\n"
          "  --exact          progress lines print the loss with 17 significant digits\n"
          "                   (it reads back exactly: runs can be compared)\n"
          "  --distributed    data-parallel over the ranks of mpirun -np N (CPU only): each\n"
          "                   rank trains on its share of every shuffled batch of --batch\n"
          "                   points (a multiple of N); rank 0 prints the progress and writes\n"
          "                   the plots, every rank its final loss\n"
          "  --compile        capture the training step once per minibatch length and run\n"
          "                   each minibatch as its compiled plan (fused kernels; the same\n"
          "                   losses as eager); CPU only, not with --distributed\n"
          "  --help           this text\n"
          "Options take their value as --name VALUE or --name=VALUE.\n",
          program);
}

int64_t options_default_every(int64_t epochs) {
  const double step = nice_step((double)epochs, 20);
  return step < 1 ? 1 : (int64_t)(step + 0.5); /* steps from 1 up are whole numbers */
}

static int bad(const char* name, const char* text, const char* expected) {
  fprintf(stderr, "%s: --%s: '%s' is not %s (--help lists the options)\n", PROGRAM, name, text,
          expected);
  return OPTIONS_BAD;
}

static int parse_int(const arg_spec* spec, const char* text) {
  char expected[96];
  char* end = NULL;
  long long value;
  errno = 0;
  value = strtoll(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE || value < spec->min || value > spec->max) {
    sprintf(expected, "an integer in [%lld, %lld]", (long long)spec->min, (long long)spec->max);
    return bad(spec->name, text, expected);
  }
  *(int64_t*)spec->target = value;
  return OPTIONS_RUN;
}

/* "cpu", "cuda" (cuda:0) or "cuda:N". */
static int parse_device(const arg_spec* spec, const char* text) {
  device_option* device = (device_option*)spec->target;
  const char* expected = "cpu, cuda or cuda:N";
  long long index = 0;
  if (strncmp(text, "cuda:", 5) == 0 && isdigit((unsigned char)text[5])) {
    char* end = NULL;
    errno = 0;
    index = strtoll(text + 5, &end, 10);
    if (*end != '\0' || errno == ERANGE || index > INT32_MAX)
      return bad(spec->name, text, expected);
  } else if (strcmp(text, "cpu") != 0 && strcmp(text, "cuda") != 0) {
    return bad(spec->name, text, expected);
  }
  device->type = strcmp(text, "cpu") == 0 ? MT_DEVICE_CPU : MT_DEVICE_CUDA;
  device->index = (int32_t)index;
  return OPTIONS_RUN;
}

static int parse_value(const arg_spec* spec, const char* text) {
  switch (spec->kind) {
    case ARG_INT: return parse_int(spec, text);
    case ARG_REAL: {
      char* end = NULL;
      const double value = strtod(text, &end);
      if (end == text || *end != '\0' || !isfinite(value) || !(value > 0))
        return bad(spec->name, text, "a positive number");
      *(double*)spec->target = value;
      return OPTIONS_RUN;
    }
    case ARG_TEXT:
      if (*text == '\0') return bad(spec->name, text, "a file path");
      *(const char**)spec->target = text;
      return OPTIONS_RUN;
    case ARG_DATASET:
      /* The library knows the names; its message lists them. */
      if (mt_dataset_kind(text, (int32_t*)spec->target) != MT_OK) {
        fprintf(stderr, "%s: --%s: %s\n", PROGRAM, spec->name, mt_last_error());
        return OPTIONS_BAD;
      }
      return OPTIONS_RUN;
    case ARG_DTYPE:
      if (strcmp(text, "float32") == 0 || strcmp(text, "float64") == 0) {
        *(int32_t*)spec->target = strcmp(text, "float32") == 0 ? MT_FLOAT32 : MT_FLOAT64;
        return OPTIONS_RUN;
      }
      return bad(spec->name, text, "float32 or float64");
    case ARG_BACKEND: {
      const int32_t count = mt_backend_count();
      int32_t i;
      for (i = 0; i < count; ++i) {
        if (strcmp(text, mt_backend_name(i)) == 0) {
          *(const char**)spec->target = mt_backend_name(i);
          return OPTIONS_RUN;
        }
      }
      fprintf(stderr, "%s: --%s: unknown backend '%s' (known:", PROGRAM, spec->name, text);
      for (i = 0; i < count; ++i)
        fprintf(stderr, " %s", mt_backend_name(i));
      fputs(")\n", stderr);
      return OPTIONS_BAD;
    }
    case ARG_DEVICE: return parse_device(spec, text);
  }
  return OPTIONS_BAD;
}

int options_parse(int argc, char** argv, options* out) {
  const arg_spec specs[] = {
      {"dataset", ARG_DATASET, &out->dataset, 0, 0},
      {"points", ARG_INT, &out->points, 1, 10000000},
      {"hidden", ARG_INT, &out->hidden, 1, 100000},
      {"epochs", ARG_INT, &out->epochs, 1, 100000000},
      {"lr", ARG_REAL, &out->lr, 0, 0},
      {"batch", ARG_INT, &out->batch, 1, INT64_MAX},
      {"dtype", ARG_DTYPE, &out->dtype, 0, 0},
      {"seed", ARG_INT, &out->seed, 0, INT64_MAX - 1},
      {"backend", ARG_BACKEND, &out->backend, 0, 0},
      {"threads", ARG_INT, &out->threads, 0, 1024},
      {"device", ARG_DEVICE, &out->device, 0, 0},
      {"svg", ARG_TEXT, &out->svg_path, 0, 0},
      {"curves", ARG_TEXT, &out->curves_path, 0, 0},
      {"every", ARG_INT, &out->every, 1, INT64_MAX},
  };
  const size_t count = sizeof specs / sizeof specs[0];
  int i;

  out->dataset = MT_DATASET_XOR;
  out->points = 50;
  out->hidden = 10;
  out->epochs = 500;
  out->lr = 0.05;
  out->batch = 10;
  out->dtype = MT_FLOAT64;
  out->seed = 3;
  out->backend = NULL;
  out->threads = 0;
  out->device.type = MT_DEVICE_CPU;
  out->device.index = 0;
  out->svg_path = "decision_boundary.svg";
  out->curves_path = "training_curves.svg";
  out->every = -1; /* not given: options_default_every once the epochs are known */
  out->exact = 0;
  out->distributed = 0;
  out->compile = 0;

  for (i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    const char* value = NULL;
    size_t name_length, k;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      options_usage(stdout, argv[0]);
      return OPTIONS_HELP;
    }
    if (strcmp(arg, "--quiet") == 0) {
      out->every = 0;
      continue;
    }
    if (strcmp(arg, "--exact") == 0) {
      out->exact = 1;
      continue;
    }
    if (strcmp(arg, "--distributed") == 0) {
      out->distributed = 1;
      continue;
    }
    if (strcmp(arg, "--compile") == 0) {
      out->compile = 1;
      continue;
    }
    if (strncmp(arg, "--", 2) != 0) {
      fprintf(stderr, "%s: unexpected argument '%s' (--help lists the options)\n", PROGRAM, arg);
      return OPTIONS_BAD;
    }
    arg += 2;
    value = strchr(arg, '=');
    name_length = value ? (size_t)(value - arg) : strlen(arg);
    for (k = 0; k < count; ++k)
      if (strlen(specs[k].name) == name_length && strncmp(arg, specs[k].name, name_length) == 0)
        break;
    if (k == count) {
      fprintf(stderr, "%s: unknown option '%s' (--help lists the options)\n", PROGRAM, argv[i]);
      return OPTIONS_BAD;
    }
    if (value) {
      ++value;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      fprintf(stderr, "%s: --%s needs a value\n", PROGRAM, specs[k].name);
      return OPTIONS_BAD;
    }
    if (parse_value(&specs[k], value) != OPTIONS_RUN) return OPTIONS_BAD;
  }
  if (out->every < 0) out->every = options_default_every(out->epochs);
  /* Plans run on the CPU, and a capture cannot record the collectives of --distributed. */
  if (out->compile && out->device.type != MT_DEVICE_CPU) {
    fprintf(stderr, "%s: --compile runs plans on the CPU only, not with --device cuda\n", PROGRAM);
    return OPTIONS_BAD;
  }
  if (out->compile && out->distributed) {
    fprintf(stderr, "%s: --compile does not combine with --distributed\n", PROGRAM);
    return OPTIONS_BAD;
  }
  return OPTIONS_RUN;
}
