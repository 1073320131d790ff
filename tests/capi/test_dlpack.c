/* DLPack: export (same memory, layout, the consumer's deleter), import of hand-built
 * DLManagedTensors (no copy, the deleter called once after the last view), their errors. */
#include <dlpack/dlpack.h>
#include <string.h>

#include "check.h"
#include "suites.h"

/* --- Export --- */

static int blob_deletes;
static void count_blob_delete(void* data, void* context) {
  (void)data;
  (void)context;
  ++blob_deletes;
}

/* The DLTensor describes these layout values. */
#define CHECK_DL(dl, ptr, bits_, ...) \
  check_dl_((dl), (ptr), (bits_), __FILE__, __LINE__, __VA_ARGS__)
static void check_dl_(const DLTensor* dl, const void* data, int bits, const char* file, int line,
                      const int64_t* shape, int32_t ndim, const int64_t* strides) {
  int ok = dl->data == data && dl->ndim == ndim && dl->byte_offset == 0 &&
           dl->device.device_type == kDLCPU && dl->device.device_id == 0 &&
           dl->dtype.code == kDLFloat && dl->dtype.bits == bits && dl->dtype.lanes == 1;
  check_true_(ok, file, line, "DLTensor data, ndim, device and dtype");
  if (ok && ndim > 0) {
    ok = memcmp(dl->shape, shape, (size_t)ndim * sizeof(int64_t)) == 0 && dl->strides != NULL &&
         memcmp(dl->strides, strides, (size_t)ndim * sizeof(int64_t)) == 0;
    check_true_(ok, file, line, "DLTensor shape and strides");
  }
}

static void export_tensor(void) {
  float data[6] = {0, 1, 2, 3, 4, 5};
  double scalar_data = 2.5;
  mt_tensor *t = NULL, *narrow = NULL, *t_t = NULL, *s = NULL;
  DLManagedTensor *m = NULL, *mn = NULL, *mt = NULL, *ms = NULL;
  blob_deletes = 0;
  CHECK_OK(mt_from_blob(data, MT_FLOAT32, I64(2, 3), NULL, 2, count_blob_delete, NULL, &t));
  CHECK_OK(mt_narrow(t, 1, 1, 2, &narrow));
  CHECK_OK(mt_transpose(t, 0, 1, &t_t));
  CHECK_OK(mt_from_blob(&scalar_data, MT_FLOAT64, NULL, NULL, 0, NULL, NULL, &s));
  CHECK_OK(mt_to_dlpack(t, &m));
  CHECK_OK(mt_to_dlpack(narrow, &mn));
  CHECK_OK(mt_to_dlpack(t_t, &mt));
  CHECK_OK(mt_to_dlpack(s, &ms));
  RELEASE(t, narrow, t_t, s); /* the exports keep the memory */
  CHECK(blob_deletes == 0);
  if (m && mn && mt && ms) {
    CHECK_DL(&m->dl_tensor, data, 32, I64(2, 3), 2, I64(3, 1));
    CHECK_DL(&mn->dl_tensor, data + 1, 32, I64(2, 2), 2, I64(3, 1));
    CHECK_DL(&mt->dl_tensor, data, 32, I64(3, 2), 2, I64(1, 3));
    CHECK_DL(&ms->dl_tensor, &scalar_data, 64, NULL, 0, NULL);
    CHECK(((const float*)mn->dl_tensor.data)[3] == 4); /* row 1, column 2 of the original */
    CHECK(m->deleter != NULL);
    m->deleter(m);
    mn->deleter(mn);
    CHECK(blob_deletes == 0);
    mt->deleter(mt); /* the consumer's release of the last export frees the memory */
    CHECK(blob_deletes == 1);
    ms->deleter(ms);
  }
  CHECK_ERR_OUT_TYPED(DLManagedTensor*, mt_to_dlpack(NULL, OUT), MT_ERR_INVALID_ARGUMENT,
                      "mt_to_dlpack", "tensor is NULL");
}

/* --- Import --- */

/* A DLManagedTensor built by hand over caller memory, counting its deleter's calls. */
typedef struct {
  DLManagedTensor managed;
  int64_t shape[MT_MAX_RANK + 1];
  int64_t strides[MT_MAX_RANK + 1];
  int deletes;
} hand_made;

static void count_managed_delete(DLManagedTensor* self) {
  ++((hand_made*)self->manager_ctx)->deletes;
}

/* Float `bits` over `data`; strides NULL means row-major. */
static void hand_make(hand_made* h, void* data, int bits, const int64_t* shape, int32_t ndim,
                      const int64_t* strides) {
  memset(h, 0, sizeof *h);
  if (ndim > 0) memcpy(h->shape, shape, (size_t)ndim * sizeof(int64_t));
  if (strides) memcpy(h->strides, strides, (size_t)ndim * sizeof(int64_t));
  h->managed.dl_tensor.data = data;
  h->managed.dl_tensor.device.device_type = kDLCPU;
  h->managed.dl_tensor.ndim = ndim;
  h->managed.dl_tensor.dtype.code = kDLFloat;
  h->managed.dl_tensor.dtype.bits = (uint8_t)bits;
  h->managed.dl_tensor.dtype.lanes = 1;
  h->managed.dl_tensor.shape = h->shape;
  h->managed.dl_tensor.strides = strides ? h->strides : NULL;
  h->managed.manager_ctx = h;
  h->managed.deleter = count_managed_delete;
}

static void import_tensor(void) {
  double data[4] = {1, 2, 3, 4};
  float small[3] = {0.5f, 1.5f, 2.5f};
  hand_made h, hs, ho, hf;
  mt_tensor *t = NULL, *view = NULL, *ts = NULL, *to = NULL, *tf = NULL;
  hand_make(&h, data, 64, I64(2, 2), 2, NULL);
  CHECK_OK(mt_from_dlpack(&h.managed, &t));
  CHECK_TENSOR(t, DIMS(2, 2), VALUES(1, 2, 3, 4));
  CHECK_DTYPE(t, MT_FLOAT64);
  CHECK_OK(mt_set(t, DIMS(0, 1), 20)); /* no copy */
  CHECK(data[1] == 20);
  CHECK_OK(mt_transpose(t, 0, 1, &view));
  mt_release(t);
  CHECK(h.deletes == 0); /* the view keeps it */
  CHECK_TENSOR(view, DIMS(2, 2), VALUES(1, 3, 20, 4));
  mt_release(view);
  CHECK(h.deletes == 1);
  hand_make(&hs, data, 64, I64(2, 2), 2, I64(1, 2)); /* strides in elements */
  CHECK_OK(mt_from_dlpack(&hs.managed, &ts));
  CHECK_TENSOR(ts, DIMS(2, 2), VALUES(1, 3, 20, 4));
  hand_make(&ho, data, 64, I64(3), 1, NULL);
  ho.managed.dl_tensor.byte_offset = sizeof(double); /* starts at data[1] */
  CHECK_OK(mt_from_dlpack(&ho.managed, &to));
  CHECK_TENSOR(to, DIMS(3), VALUES(20, 3, 4));
  hand_make(&hf, small, 32, I64(3), 1, NULL);
  CHECK_OK(mt_from_dlpack(&hf.managed, &tf));
  CHECK_TENSOR(tf, DIMS(3), VALUES(0.5, 1.5, 2.5));
  CHECK_DTYPE(tf, MT_FLOAT32);
  RELEASE(ts, to, tf);
  CHECK(hs.deletes == 1 && ho.deletes == 1 && hf.deletes == 1);
}

/* Export, then import: the memory is shared and freed once, after both are gone. */
static void round_trip(void) {
  float data[2] = {1, 2};
  mt_tensor *t = NULL, *back = NULL;
  DLManagedTensor* m = NULL;
  blob_deletes = 0;
  CHECK_OK(mt_from_blob(data, MT_FLOAT32, I64(2), NULL, 1, count_blob_delete, NULL, &t));
  CHECK_OK(mt_to_dlpack(t, &m));
  CHECK_OK(mt_from_dlpack(m, &back));
  CHECK_OK(mt_set(back, DIMS(1), 7));
  CHECK(GET(t, DIMS(1)) == 7);
  CHECK_SHARES(t, back, 1); /* two storages over the same bytes */
  mt_release(t);
  CHECK(blob_deletes == 0);
  mt_release(back);
  CHECK(blob_deletes == 1);
}

/* A failed import leaves `h` the caller's: its deleter not called, OUT untouched. */
#define IMPORT_FAILS(h, status, ...)                                                         \
  do {                                                                                       \
    CHECK_ERR_OUT(mt_from_dlpack(&(h).managed, OUT), status, "mt_from_dlpack", __VA_ARGS__); \
    CHECK((h).deletes == 0);                                                                 \
  } while (0)

static void import_errors(void) {
  double data[4] = {1, 2, 3, 4};
  int64_t big[MT_MAX_RANK + 1];
  hand_made h;
  int d;
  hand_make(&h, data, 64, I64(2, 2), 2, NULL);
  h.managed.dl_tensor.device.device_type = kDLCUDA;
  IMPORT_FAILS(h, MT_ERR_UNSUPPORTED, "device type 2", "CPU");
  hand_make(&h, data, 32, I64(2, 2), 2, NULL);
  h.managed.dl_tensor.dtype.code = kDLInt;
  IMPORT_FAILS(h, MT_ERR_DTYPE_MISMATCH, "code 0", "bits 32");
  hand_make(&h, data, 16, I64(2, 2), 2, NULL); /* float16 */
  IMPORT_FAILS(h, MT_ERR_DTYPE_MISMATCH, "bits 16");
  hand_make(&h, data, 32, I64(2, 2), 2, NULL);
  h.managed.dl_tensor.dtype.lanes = 4;
  IMPORT_FAILS(h, MT_ERR_DTYPE_MISMATCH, "lanes 4");
  hand_make(&h, data + 3, 64, I64(2, 2), 2, I64(-2, -1));
  IMPORT_FAILS(h, MT_ERR_UNSUPPORTED, "negative strides", "(-2, -1)");
  for (d = 0; d <= MT_MAX_RANK; ++d)
    big[d] = 1;
  hand_make(&h, data, 64, big, MT_MAX_RANK + 1, NULL);
  IMPORT_FAILS(h, MT_ERR_INVALID_ARGUMENT, "count 17");
  hand_make(&h, data, 64, I64(2, 2), 2, NULL);
  h.managed.dl_tensor.ndim = -1;
  IMPORT_FAILS(h, MT_ERR_INVALID_ARGUMENT, "count -1");
  hand_make(&h, data, 64, I64(2, 2), 2, NULL);
  h.managed.dl_tensor.shape = NULL;
  IMPORT_FAILS(h, MT_ERR_INVALID_ARGUMENT, "shape is NULL");
  hand_make(&h, NULL, 64, I64(2, 2), 2, NULL);
  IMPORT_FAILS(h, MT_ERR_INVALID_ARGUMENT, "data is NULL");
  hand_make(&h, data, 64, I64(2, -2), 2, NULL);
  IMPORT_FAILS(h, MT_ERR_INVALID_ARGUMENT, "negative size", "(2, -2)");
  CHECK_ERR_OUT(mt_from_dlpack(NULL, OUT), MT_ERR_INVALID_ARGUMENT, "mt_from_dlpack",
                "managed is NULL");
  hand_make(&h, data, 64, I64(2, 2), 2, NULL);
  CHECK_ERR(mt_from_dlpack(&h.managed, NULL), MT_ERR_INVALID_ARGUMENT, "out is NULL");
  CHECK(h.deletes == 0);
}

/* byte_offset: checked against the address space and the element alignment. */
static void import_byte_offsets(void) {
  double data[4] = {1, 2, 3, 4};
  hand_made h;
  hand_make(&h, data, 64, I64(2), 1, NULL);
  h.managed.dl_tensor.byte_offset = UINT64_MAX - 7; /* wraps the pointer before the buffer */
  IMPORT_FAILS(h, MT_ERR_OVERFLOW, "byte_offset 18446744073709551608", "int64");
  hand_make(&h, data, 64, I64(2), 1, NULL);
  h.managed.dl_tensor.byte_offset = (uint64_t)INT64_MAX; /* fits int64, not the address space */
  h.managed.dl_tensor.data = (void*)(uintptr_t)((UINTPTR_MAX / 2) + 64);
  IMPORT_FAILS(h, MT_ERR_OVERFLOW, "plus byte_offset", "address space");
  hand_make(&h, data, 32, I64(2), 1, NULL);
  h.managed.dl_tensor.byte_offset = 2; /* inside a float32 */
  IMPORT_FAILS(h, MT_ERR_INVALID_ARGUMENT, "data + byte_offset", "not aligned", "4 bytes",
               "float32");
  hand_make(&h, data, 64, I64(2), 1, NULL);
  h.managed.dl_tensor.byte_offset = 4; /* aligned for float32, not for float64 */
  IMPORT_FAILS(h, MT_ERR_INVALID_ARGUMENT, "not aligned", "8 bytes", "float64");
  hand_make(&h, (char*)data + 1, 32, I64(2), 1, NULL); /* a misaligned data pointer */
  IMPORT_FAILS(h, MT_ERR_INVALID_ARGUMENT, "DLPack data", "not aligned");
}

/* Ownership moves with an import: the same struct again is refused while the first import's
 * tensor lives (else both would call the deleter), and is a new import once it has gone. */
static void import_twice(void) {
  double data[2] = {1, 2};
  hand_made h;
  mt_tensor *first = NULL, *view = NULL;
  DLManagedTensor* exported = NULL;
  mt_tensor *back = NULL, *original = NULL;
  hand_make(&h, data, 64, I64(2), 1, NULL);
  CHECK_OK(mt_from_dlpack(&h.managed, &first));
  CHECK_ERR_OUT(mt_from_dlpack(&h.managed, OUT), MT_ERR_INVALID_ARGUMENT, "mt_from_dlpack",
                "already imported");
  CHECK_OK(mt_select(first, 0, 1, &view));
  mt_release(first);
  CHECK_ERR_OUT(mt_from_dlpack(&h.managed, OUT), MT_ERR_INVALID_ARGUMENT, "already imported");
  CHECK(h.deletes == 0);
  mt_release(view);
  CHECK(h.deletes == 1); /* once, though it was offered three times */
  /* Given back through its deleter, the struct may be imported again (a new ownership). */
  CHECK_OK(mt_from_dlpack(&h.managed, &first));
  mt_release(first);
  CHECK(h.deletes == 2);
  /* The library's own exports likewise. */
  original = VEC(MT_FLOAT32, 1, 2);
  CHECK_OK(mt_to_dlpack(original, &exported));
  CHECK_OK(mt_from_dlpack(exported, &back));
  CHECK_ERR_OUT(mt_from_dlpack(exported, OUT), MT_ERR_INVALID_ARGUMENT, "already imported");
  RELEASE(back, original);
}

void test_dlpack(void) {
  export_tensor();
  import_tensor();
  round_trip();
  import_errors();
  import_byte_offsets();
  import_twice();
}
