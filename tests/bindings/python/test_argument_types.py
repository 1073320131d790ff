"""Integer, real, flag and string arguments: anything with __index__ where an integer is meant,
anything with __float__ where a real number is, and the library's own messages (naming the
function and the parameter) for the rest, never SWIG's."""
import numpy as np
import pytest

import minitensor as mt


class Index:
    """A user class that is an integer only through __index__."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


@pytest.mark.parametrize("call,error,message", [
    (lambda: mt.ones(2, 3).select(0, 1.0), TypeError,
     "mt_select: argument 'index' must be an integer, not float"),
    (lambda: mt.ones(2, 3).transpose("0", 1), TypeError,
     "mt_transpose: argument 'dim0' must be an integer, not str"),
    (lambda: mt.set_num_threads(2.5), TypeError,
     "mt_set_num_threads: argument 'threads' must be an integer, not float"),
    (lambda: mt.set_num_threads(2**31), OverflowError,
     "mt_set_num_threads: argument 'threads' must be in [-2147483648, 2147483647] (int32), "
     "not 2147483648"),
    (lambda: mt.Generator(-1), OverflowError,
     "mt_generator_create: argument 'seed' must be in [0, 18446744073709551615] (uint64), "
     "not -1"),
    (lambda: mt.manual_seed(2**70), OverflowError,
     "mt_manual_seed: argument 'seed' must be in [0, 18446744073709551615] (uint64), "
     "not 1180591620717411303424"),
    (lambda: mt.Generator(True), TypeError,
     "mt_generator_create: argument 'seed' must be an integer, not bool"),
    (lambda: mt.Generator(np.True_), TypeError,
     "mt_generator_create: argument 'seed' must be an integer, not numpy.bool_"),
    (lambda: mt.full((2,), "a"), TypeError,
     "mt_full: argument 'value' must be a real number, not str"),
    (lambda: mt.full((2,), np.ones(2)), TypeError,
     "mt_full: argument 'value' must be a real number, not numpy.ndarray"),
    (lambda: mt.full((2,), 10**400), OverflowError,
     "mt_full: argument 'value' must be in the float64 range (magnitude < 1.8e308), not 1" +
     "0" * 400),
    (lambda: mt.full((2,), 1j), TypeError,
     "mt_full: argument 'value' must be a real number, not complex"),
    (lambda: mt.ones(5).view(2, None), TypeError,
     "mt_view: argument 'shape' item 1 must be an integer, not NoneType"),
    (lambda: mt.nn.MLP([2, -2**70]), OverflowError,
     "mt_mlp_create: argument 'sizes' item 1 must be in "
     "[-9223372036854775808, 9223372036854775807] (int64), not -1180591620717411303424"),
    (lambda: mt.set_backend(1), TypeError,
     "mt_set_backend: argument 'name' must be a str, not int"),
    (lambda: mt.set_backend("cpu\0par"), ValueError,
     "mt_set_backend: argument 'name' must not contain a null character"),
    (lambda: mt.datasets.kind(None), TypeError,
     "mt_dataset_kind: argument 'name' must be a str, not NoneType"),
])
def test_wrong_arguments_raise_the_library_message(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_a_huge_int_is_refused_without_printing_it():
    with pytest.raises(OverflowError, match="argument 'seed' .* not an int too long to print"):
        mt.manual_seed(10**5000)  # beyond sys.get_int_max_str_digits()


def test_integers_by_index_and_reals_by_float_reach_the_library():
    t = mt.arange(12).view(3, 4)
    for dim, index in [(np.int64(1), np.int32(2)), (np.array(1), Index(2)), (np.uint8(1), 2)]:
        assert t.select(dim, index).tolist() == t.select(1, 2).tolist()
    assert t.transpose(np.int64(0), Index(1)).tolist() == t.transpose(0, 1).tolist()
    assert mt.zeros(np.array([2, 3])).shape == mt.zeros(np.int64(2), Index(3)).shape == (2, 3)
    for value in (np.float32(1.5), np.array(1.5), np.float64(1.5), Index(2), True):
        assert mt.full(2, value).tolist() == [float(value)] * 2
    g = mt.Generator(np.uint64(2**64 - 1))
    same = mt.Generator(2**64 - 1)
    assert mt.rand(3, generator=g).tolist() == mt.rand(3, generator=same).tolist()


def test_the_extension_holds_no_swig_argument_message():
    """Every scalar and array parameter of the C API has a typemap of minitensor_python.i: SWIG
    compiles its "in method 'f', argument n of type 't'" text only where one is missing (a new
    function with a parameter type that has none, a float or a size_t, would bring it back)."""
    with open(mt._minitensor_native.__file__, "rb") as extension:
        assert b"in method '" not in extension.read()


def test_flags_take_truth_values():
    t = mt.ones(2, 3)
    assert t.sum(0, keepdim=np.True_).shape == t.sum(0, keepdim=1).shape == (1, 3)
    assert t.sum(0, keepdim=None).shape == (3,)
    with pytest.raises(TypeError, match="mt_reduce: argument 'keepdim' must be a bool, not "
                                        "numpy.ndarray"):
        t.sum(0, keepdim=np.array([True, False]))


@pytest.mark.parametrize("call,error,message", [
    (lambda: mt.device("cuda", 1.5), TypeError,
     "device: argument 'index' must be an integer, not float"),
    (lambda: mt.device("cuda", True), TypeError,
     "device: argument 'index' must be an integer, not bool"),
    (lambda: mt.device("cuda", -1), ValueError,
     "device: argument 'index' must be in [0, 2147483647], not -1"),
    (lambda: mt.device("cuda", 2**63), ValueError,
     "device: argument 'index' must be in [0, 2147483647], not 9223372036854775808"),
    (lambda: mt.device(1.5), TypeError,
     "device: argument 'type' must be a str or a device, not float"),
    (lambda: mt.device("cuda:x"), ValueError,
     "unknown device 'cuda:x': expected 'cpu', 'cuda' or 'cuda:N' with N >= 0"),
    (lambda: mt.ones(2).cuda(0.5), TypeError,
     "device: argument 'index' must be an integer, not float"),
    (lambda: mt.ones(2).maximum("a"), TypeError,
     "maximum: argument 'other' must be a Tensor, a real number or an array, not str"),
    (lambda: mt.ones(2).pow(None), TypeError,
     "pow: argument 'other' must be a Tensor, a real number or an array, not NoneType"),
    (lambda: mt.ones(2, 3).sum(1.5), TypeError,
     "mt_reduce: argument 'dims' must be an integer or a sequence of integers, not float"),
    (lambda: mt.ones(2, 3).mean((0, "1")), TypeError,
     "mt_mean: argument 'dims' item 1 must be an integer, not str"),
    (lambda: mt.set_diagnostics(["off"]), TypeError,
     "diagnostics mode ['off'] is not one of ['collect', 'off', 'print']"),
    (lambda: mt.nn.mse_loss(mt.ones(2), mt.ones(2), None), TypeError,
     "reduction None is not one of ['mean', 'none', 'sum']"),
    (lambda: mt.optim.SGD(5, 0.5), TypeError,
     "optimizer: argument 'params' must be an iterable of tensors, not int"),
    (lambda: mt.optim.SGD(mt.ones(2, requires_grad=True), 0.5), TypeError,
     "optimizer: argument 'params' must be an iterable of tensors, not Tensor"),
    (lambda: mt.optim.Adam([mt.ones(2, requires_grad=True)], betas=0.9), TypeError,
     "Adam: argument 'betas' must be a pair of numbers (beta1, beta2), not float"),
    (lambda: mt.optim.Adam([mt.ones(2, requires_grad=True)], betas=(0.9, "x")), TypeError,
     "mt_adam_create: argument 'beta2' must be a real number, not str"),
])
def test_wrong_arguments_checked_by_the_package_name_them(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_package_arguments_take_numpy_numbers():
    assert mt.device("cuda", np.int64(1)) == mt.device("cuda", Index(1)) == "cuda:1"
    t = mt.arange(6).view(2, 3)
    assert t.sum(np.int64(1)).tolist() == t.sum(Index(1)).tolist() == t.sum(1).tolist()
    assert t.get((1, 2)) == t.get(np.int64(1), Index(2)) == 5.0
    # A 0-d array is a number, as numpy 1.x and torch read it: the tensor's dtype stays.
    for number in (np.array(0.5), np.float64(0.5), np.float32(0.5), 0.5):
        assert (t + number).dtype == mt.float32 and (t + number).tolist() == (t + 0.5).tolist()
        t[0, 0] = number
        assert t[0, 0].item() == 0.5
    assert mt.tensor([np.array(1.5), np.float32(2), 3]).tolist() == [1.5, 2.0, 3.0]
