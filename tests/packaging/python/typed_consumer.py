"""Checked by mypy --strict against the installed wheel (scripts/packaging/python.sh), as an IDE
sees the package: every name below resolves to its annotated type, the generated per-op methods
(exp, sum, maximum) included, so completion and type errors work on mt.Tensor."""
import minitensor as mt

x: mt.Tensor = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
loss: mt.Tensor = (x @ x.T).relu().exp().sum(dim=(0, 1), keepdim=False).maximum(0.5)
loss.backward()
grad: "mt.Tensor | None" = x.grad
value: float = loss.item()
shape: "tuple[int, ...]" = x.shape
model = mt.nn.MLP([2, 4, 1], dtype=mt.float64, generator=mt.Generator(3))
optimizer: mt.optim.Optimizer = mt.optim.SGD(model.parameters(), lr=0.1)
with mt.no_grad():
    logits: mt.Tensor = model(mt.zeros(5, 2, dtype="float64"))
device: mt.device = logits.to("cpu").device
print(value, grad, shape, device, optimizer, mt.cuda.is_available())
