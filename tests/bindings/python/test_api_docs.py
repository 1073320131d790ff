"""The public API documents itself, for help() and for IDEs and type checkers: every public
function, class, method, operator and property (conftest.public_callables) has annotations on
each parameter and on its return (the package has py.typed), and all but the operators and
protocol methods (__add__, __repr__) have a docstring, which help() shows."""
import inspect
import pydoc
from pathlib import Path

import pytest

import minitensor as mt
from conftest import public_callables

PUBLIC = public_callables()


def functions(value):
    """The functions that a public name stands for: a property's getter and setter, a class's
    __init__ where the package defines one, else the function itself."""
    if isinstance(value, property):
        return [f for f in (value.fget, value.fset) if f is not None]
    if inspect.isclass(value):
        init = value.__init__
        return [init] if getattr(init, "__module__", "").startswith("minitensor") else []
    return [value]


def unannotated(function):
    """The parameters (and "return") of `function` without an annotation; self and cls need
    none."""
    signature = inspect.signature(function)
    missing = [
        name
        for name, parameter in signature.parameters.items()
        if parameter.annotation is inspect.Parameter.empty and name not in ("self", "cls")
    ]
    if signature.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_annotated(name):
    for function in functions(PUBLIC[name]):
        assert not unannotated(function), f"{name}: no annotation on {unannotated(function)}"


@pytest.mark.parametrize(
    "name", sorted(name for name in PUBLIC if not name.rpartition(".")[2].startswith("__"))
)
def test_documented(name):
    """A function's docstring, a class's or a property's (its getter's)."""
    assert (inspect.getdoc(PUBLIC[name]) or "").strip(), f"{name} has no docstring"


def test_the_check_sees_a_missing_annotation_and_docstring():
    def bare(x, y=1):
        pass

    assert unannotated(bare) == ["x", "y", "return"] and inspect.getdoc(bare) is None


def test_the_api_includes_the_generated_methods():
    assert {"Tensor.exp", "Tensor.sum", "Tensor.maximum", "minitensor.tensor"} <= set(PUBLIC)


@pytest.mark.parametrize("function", [mt.Tensor.sum, mt.Tensor.backward, mt.tensor, mt.nn.Linear])
def test_help_shows_the_docstring_and_the_signature(function):
    text = pydoc.render_doc(function, renderer=pydoc.plaintext)
    assert " ".join(inspect.getdoc(function).split()) in " ".join(text.split())
    if not inspect.isclass(function):
        assert str(inspect.signature(function)) in text


def test_help_on_tensor_lists_the_generated_methods():
    text = pydoc.render_doc(mt.Tensor, renderer=pydoc.plaintext)
    assert "exp(self) -> 'Tensor'" in text and "Elementwise e^x." in text


def test_the_package_is_typed():
    assert (Path(mt.__file__).parent / "py.typed").is_file()


def test_the_errors_are_documented():
    errors = [getattr(mt, name) for name in mt.__all__ if name.endswith("Error")]
    assert len(errors) == 14
    for error in errors:
        assert issubclass(error, mt.Error) and (inspect.getdoc(error) or "").strip(), error
